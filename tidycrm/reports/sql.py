"""Small SQL functions both databases compute natively: Django's portable forms of these run a
Python function per row on SQLite, which costs more than the query at tens of thousands of
rows."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, FloatField, Func, IntegerField


class DaysBetween(Func):
    """Days from `start` to `end`, as a float."""

    output_field = FloatField()
    arity = 2

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(end, start)  # the SQL reads "end - start"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)",
            arg_joiner=" - ",
            **extra,
        )


class MonthOf(Func):
    """The UTC calendar month of a timestamp as 'YYYY-MM'."""

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps timestamps as UTC text 'YYYY-MM-DD HH:MM:SS...': the month is its
        # first seven characters, read far faster than strftime parses the whole value.
        return self.as_sql(compiler, connection, template="substr(%(expressions)s, 1, 7)", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM')",
            **extra,
        )


class WholeDaysBetween(Func):
    """Whole days (24-hour periods) from `start` to `end`, counted on whole seconds, so both
    databases agree on a deal closed exactly n days after its creation."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(end, start)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(CAST(round((julianday(%(expressions)s)) * 86400) AS INTEGER) / 86400)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(FLOOR(ROUND(EXTRACT(EPOCH FROM (%(expressions)s))) / 86400)::integer)",
            arg_joiner=" - ",
            **extra,
        )
