"""One date format per language (FORMAT_MODULE_PATH): day, month in words, year, and a 24-hour
time, the same in lists, details and forms. Django's own Arabic formats lack DATETIME_FORMAT,
which fell back to the American "N j, Y" ("ديسمبر 2, 2026")."""
