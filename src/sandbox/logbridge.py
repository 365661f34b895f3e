# logbridge.py: the logging module's records go to plpy's levels.  When a
# body first imports logging, the real module (one per interpreter, so its
# root logger and manager are the role's own) is adjusted before its facade
# is built: the handler of last resort and basicConfig's default handler
# send records to plpy instead of the server's standard error; nothing
# that writes files, streams or sockets is exposed; '{'-style formats go
# through the format guard; formatted exceptions carry no source lines
# (reading them would open files).
#
# This part runs in the reachable namespace (names.py): the replacements
# hold plpy's functions and the real module's classes, never the module;
# facades.py's _load_logging installs them in the real module.
#
# Levels: DEBUG -> plpy.debug, INFO -> plpy.info, WARNING and above ->
# plpy.warning.  ERROR and CRITICAL are not plpy.error: Python's
# logging.error logs and returns, and code ported from PL/Python expects
# it not to abort the statement.

LOGGING_NAMES = (
    "BASIC_FORMAT", "CRITICAL", "DEBUG", "ERROR", "FATAL", "INFO", "NOTSET",
    "WARN", "WARNING", "Filter", "Formatter", "Handler", "LogRecord",
    "Logger", "LoggerAdapter", "NullHandler", "addLevelName", "basicConfig",
    "critical", "debug", "disable", "error", "exception", "fatal",
    "getLevelName", "getLevelNamesMapping", "getLogger", "getLoggerClass",
    "info", "log", "warn", "warning",
)


def _logging_bridge(real, emitters, guarded):
    """The replacements, built from the real module's classes; they hold
    plpy's functions and classes, never the module."""
    Handler = real.Handler
    debug, info, warning = emitters
    base_style = real.StrFormatStyle
    formatter_base = real.Formatter
    warning_level, info_level = real.WARNING, real.INFO
    format_exception_only = real.traceback.format_exception_only

    class _GuardedStrFormatStyle(base_style):
        def _format(self, record):
            return guarded(self._fmt, **record.__dict__)

    def format_exception(self, ei):
        return ("Traceback (most recent call last): not shown in plsafepy\n"
                + "".join(format_exception_only(ei[0], ei[1])).rstrip("\n"))

    def format_stack(self, stack_info):
        return ""

    class PlpyHandler(Handler):
        """Sends each record to plpy at its level."""

        __module__ = "logging"

        def emit(self, record):
            msg = self.format(record)
            if record.levelno >= warning_level:
                warning(msg)
            elif record.levelno >= info_level:
                info(msg)
            else:
                debug(msg)

    real_basic_config = real.basicConfig

    def basicConfig(**kwargs):
        """logging.basicConfig; the default handler sends to plpy.  No
        filename (a file) and no stream (the server's standard error)."""
        if "filename" in kwargs or "filemode" in kwargs:
            _deny("logging.basicConfig(filename=...)")
        if "stream" in kwargs:
            _deny("logging.basicConfig(stream=...)")
        if kwargs.get("handlers") is None:
            kwargs["handlers"] = [PlpyHandler()]
        return real_basic_config(**kwargs)

    basicConfig.__module__ = "logging"
    return (_GuardedStrFormatStyle, format_exception, format_stack,
            PlpyHandler, basicConfig)
