"""Our date and number formats, where Django's for a language do not suit a
European platform (settings.FORMAT_MODULE_PATH). Django's own formats for
Danish, Norwegian Bokmål and Dutch already put the day first and use the
24-hour clock; only English needs its own."""
