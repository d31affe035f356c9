"""The PostgreSQL test isolation itself: one migrated database per test, dropped afterwards."""

from __future__ import annotations

import pytest
from conftest import Databases, dispose
from sqlalchemy import text

from clinicjournal import create_app
from clinicjournal.store import db, manage
from clinicjournal.store.models import Site


@pytest.mark.postgres
def test_each_test_database_is_migrated_isolated_and_dropped(postgres_url, postgres_admin, tmp_path, request,
                                                               static_build_dir):
    dbs = Databases("postgresql", tmp_path, request)
    apps = []
    try:
        urls = [dbs.new(), dbs.new(), dbs.new(migrated=False)]
        assert len(set(urls)) == len(urls) == len(dbs.created)

        for url in urls[:2]:
            app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x",
                              "INSTANCE_PATH": str(tmp_path / str(len(apps))),
                              "STATIC_BUILD_DIR": str(static_build_dir)}, check_schema=True)
            apps.append(app)
            current, head = db.schema_status(app.extensions["clinicjournal"].engine)
            assert current == head
        empty = db.make_engine(urls[2])
        try:
            assert db.schema_status(empty)[0] is None
        finally:
            empty.dispose()

        with apps[0].app_context():
            sess = db.session()
            manage.create_site(sess, "only-in-first", "First", ["en"])
            sess.commit()
        with apps[1].app_context():
            assert db.session().query(Site).count() == 0
    finally:
        for app in apps:
            dispose(app)
        dbs.close()
    with postgres_admin.connect() as conn:
        left = conn.scalars(text("SELECT datname FROM pg_database WHERE datname = ANY(:names)"),
                            {"names": dbs.created}).all()
    assert left == []
