"""One exception root. The CLI and the web layer turn these into one-line messages."""


class JixiaoError(Exception):
    """Base of every error jixiao raises on purpose."""


class InputError(JixiaoError):
    """The input cannot be read (empty, binary, wrong type, too large): exit status 2."""


class ConfigError(JixiaoError):
    """A setting is missing or wrong (no LLM endpoint configured, bad config file): exit 2."""


class ExtractionError(JixiaoError):
    """An engine could not produce a form (LLM gave up after its retries, budget spent)."""
