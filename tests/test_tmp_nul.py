import pytest
from test_fuzz import *  # noqa

def test_nul_login(site):
    site.config["WTF_CSRF_ENABLED"] = False
    c = site.test_client()
    for email in ["a\x00b@example.org", "\x00"]:
        r = c.post("/admin/login", data={"email": email, "password": "x\x00"}, headers={"Host": HOST})
        print(r.status_code)
        assert r.status_code < 500
