"""Many new rows at once: PostgreSQL's `COPY`, Django's `bulk_create` elsewhere.

`bulk_create` on PostgreSQL builds one `INSERT ... SELECT * FROM UNNEST(...)` a batch, and
dumping its arrays in Python costs more than the database's own work (the membership
import spent most of its time there). `COPY ... FROM STDIN` streams the same values in
PostgreSQL's text format instead. The values are prepared exactly as `bulk_create`
prepares them (each field's `pre_save` and `get_db_prep_save`), so what is stored is the
same, and a primary key can be drawn from the table's own sequence first, for callers
that need it (the audit events of created members name them).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

#: Below this many rows the `INSERT` is as fast and keeps the usual path.
COPY_FROM = 200


def insert(model: type[models.Model], objs: Sequence[models.Model], *, with_pks: bool = False):
    """Insert `objs` (new, unsaved) in the caller's transaction; `with_pks` sets their pks."""
    if not objs:
        return
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        model.objects.bulk_create(objs, batch_size=1000)
        return
    meta = model._meta
    pk = meta.pk
    if with_pks:
        _draw_pks(model, objs)
    fields = [f for f in meta.concrete_fields if with_pks or f is not pk]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        plain = [f.attname for f in fields if _stored_as_is(f)]
        if len(plain) == len(fields):
            for obj in objs:
                copy.write_row([getattr(obj, name) for name in plain])
        else:
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


#: Fields whose Python value psycopg stores as `bulk_create` would (no preparation, no
#: `pre_save` work): text, whole numbers, booleans, dates, foreign keys' ids.
_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.BooleanField,
    models.AutoField,
    models.BigAutoField,
)


def _stored_as_is(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        return _stored_as_is(field.target_field)
    if type(field) is models.DateField:
        return not (field.auto_now or field.auto_now_add)
    return isinstance(field, _AS_IS)


def _draw_pks(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Primary keys from the table's sequence (identity column), as an `INSERT` would take."""
    for obj, pk in zip(objs, draw_pks(model, len(objs)), strict=True):
        obj.pk = pk


def copy_rows(table: str, columns: Sequence[str], rows) -> None:
    """`COPY table (columns) FROM STDIN` of plain rows (PostgreSQL only), no model built:
    for callers whose values are already what the columns store (text, numbers, dates,
    JSON as its text)."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        write = copy.write_row
        for row in rows:
            write(row)


def draw_pks(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys from the table's sequence (PostgreSQL), as `INSERT`s would take."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]
