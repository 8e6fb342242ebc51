"""The migrated schema itself: nothing in it that costs every write and buys no read."""

from django.db import connection


def test_no_table_has_two_indexes_that_are_the_same(db):
    # A foreign key has an index of its own (Django's default): a named Meta index on the same column doubles the
    # work of every insert and the space on disk. Six tables had one until cases 0010, contexts 0009, safeguarding 0029.
    with connection.cursor() as cursor:
        cursor.execute(r"""
            SELECT tablename, string_agg(indexname, ', ' ORDER BY indexname)
            FROM pg_indexes WHERE schemaname = 'public'
            GROUP BY tablename, regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \S+ ', '')
            HAVING count(*) > 1""")
        assert cursor.fetchall() == []
