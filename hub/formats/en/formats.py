"""English as written in Europe: day before month, the 24-hour clock, weeks
starting on Monday (Django's ``en`` formats are American)."""

DATE_FORMAT = "j F Y"  # 25 October 2006
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 25 October 2006, 14:30
YEAR_MONTH_FORMAT = "F Y"  # October 2006
MONTH_DAY_FORMAT = "j F"  # 25 October
SHORT_DATE_FORMAT = "d/m/Y"  # 25/10/2006
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 25/10/2006 14:30
FIRST_DAY_OF_WEEK = 1  # Monday
# The first entry is what a date field shows: ISO, which a date input needs.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2006-10-25
    "%d/%m/%Y",  # 25/10/2006
    "%d/%m/%y",  # 25/10/06
    "%d %b %Y",  # 25 Oct 2006
    "%d %B %Y",  # 25 October 2006
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # 2006-10-25 14:30:59
    "%Y-%m-%d %H:%M:%S.%f",  # 2006-10-25 14:30:59.000200
    "%Y-%m-%d %H:%M",  # 2006-10-25 14:30
    "%d/%m/%Y %H:%M:%S",  # 25/10/2006 14:30:59
    "%d/%m/%Y %H:%M:%S.%f",  # 25/10/2006 14:30:59.000200
    "%d/%m/%Y %H:%M",  # 25/10/2006 14:30
    "%d/%m/%y %H:%M",  # 25/10/06 14:30
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # 14:30:59
    "%H:%M:%S.%f",  # 14:30:59.000200
    "%H:%M",  # 14:30
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
