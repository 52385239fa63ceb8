"""`makemessages` that also extracts `_g(...)`: the import modules bind `gettext` to `_g` (their
`_` is the lazy variant), and xgettext knows only Django's default keywords — so their row
errors never reached the English catalogue."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_g"]
