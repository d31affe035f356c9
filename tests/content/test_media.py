"""The media library: uploads re-encoded without metadata or payload, variants,
files served per site, articles' images by key (issue #18 item 1)."""

from __future__ import annotations

import io
import re

import pytest
from media_support import TAIL, jpeg_with_gps, png
from PIL import Image
from sqlalchemy import func, select

from clinicjournal.content import images, media
from clinicjournal.store import db, removal
from clinicjournal.store.media import MediaFile, MediaItem
from clinicjournal.store.models import Site

ALT = {"en": "A sun over green hills", "ar": "شمس فوق تلال خضراء"}


def upload(app, site_slug: str, key: str = "sunny-hills", data: bytes | None = None, alt=None, focal=(0.7, 0.4)):
    with app.app_context():
        sess = db.session()
        site = sess.scalar(select(Site).where(Site.slug == site_slug))
        item = media.add(sess, site, key, data if data is not None else jpeg_with_gps(),
                         alt or {code: ALT.get(code, "A sun") for code in site.locales}, focal)
        sess.commit()
        return {"key": item.key, "original": item.original, "social": item.social,
                "variants": list(item.variants), "width": item.width, "height": item.height}


def test_the_upload_is_re_encoded_without_exif_gps_or_hidden_bytes(app, create_site):
    create_site("alpha", locales=("en", "ar"))
    raw = jpeg_with_gps()
    assert b"SecretCamApp" in raw and Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the test's own premise
    item = upload(app, "alpha", data=raw)
    with app.app_context():
        files = db.session().scalars(select(MediaFile)).all()
        # the original, each variant and the social crop, each once (the original is the widest JPEG)
        assert {f.hash for f in files} == {item["original"], item["social"], *(v["hash"] for v in item["variants"])}
        for stored in files:
            data = stored.data
            assert b"Exif" not in data and b"SecretCamApp" not in data and b"PhoneMaker" not in data
            assert TAIL not in data and b"polyglot" not in data and b"hidden-payload" not in data
            image = Image.open(io.BytesIO(data))
            assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
            assert (image.width, image.height) == (stored.width, stored.height)
            assert stored.hash == __import__("hashlib").sha256(data).hexdigest()
    mimes = {v["mime"] for v in item["variants"]}
    assert mimes == {"image/webp", "image/jpeg"}
    assert sorted({v["width"] for v in item["variants"]}) == [160, 480, 800, 1200, 1600]


def test_transparency_keeps_a_png_fallback(app, create_site):
    create_site("alpha")
    item = upload(app, "alpha", data=png(800, 500))
    assert {v["mime"] for v in item["variants"]} == {"image/webp", "image/png"}
    assert max(v["width"] for v in item["variants"]) == 800  # never upscaled


@pytest.mark.parametrize("data, status", [
    (b"GIF89a not really", 422),
    (b"%PDF-1.7\n" + b"x" * 100, 422),
    (jpeg_with_gps()[:400], 422),  # cut short
])
def test_what_is_not_an_image_is_refused_with_a_reason(app, create_site, data, status):
    create_site("alpha")
    with pytest.raises(images.ImageError) as refused:
        upload(app, "alpha", data=data)
    assert refused.value.status == status and str(refused.value)


def test_a_decompression_bomb_is_refused_before_decoding(app, create_site):
    create_site("alpha")
    out = io.BytesIO()
    Image.new("L", (9_000, 9_000)).save(out, "PNG")  # 81 million pixels in a small file
    assert len(out.getvalue()) < 1_000_000
    with pytest.raises(images.ImageError) as refused:
        upload(app, "alpha", data=out.getvalue())
    assert refused.value.status == 413 and "9000" in str(refused.value)


def test_alt_text_is_required_in_every_language_of_the_site(app, create_site):
    create_site("alpha", locales=("en", "ar"))
    with pytest.raises(media.MediaError) as refused:
        upload(app, "alpha", alt={"en": "Hills", "ar": "  "})
    assert refused.value.field == "alt:ar"
    with pytest.raises(media.MediaError) as refused:
        upload(app, "alpha", focal=(1.5, 0.2))
    assert refused.value.field == "focal_x"


def test_files_are_served_immutable_on_the_sites_own_hosts_only(app, create_site, client):
    create_site("alpha", hosts=("journal.alpha.test", "www.alpha.test"))
    create_site("beta")
    item = upload(app, "alpha")
    webp = next(v for v in item["variants"] if v["mime"] == "image/webp")
    for host in ("alpha.localhost", "journal.alpha.test", "www.alpha.test"):
        response = client.get(f"/media/{webp['hash']}.webp", headers={"Host": host})
        assert response.status_code == 200, host
        assert response.mimetype == "image/webp"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["ETag"] == f'"{webp["hash"]}"'
        assert Image.open(io.BytesIO(response.data)).size == (webp["width"], webp["height"])
    again = client.get(f"/media/{webp['hash']}.webp",
                       headers={"Host": "alpha.localhost", "If-None-Match": f'"{webp["hash"]}"'})
    assert again.status_code == 304
    assert client.get(f"/media/{webp['hash']}.webp", headers={"Host": "beta.localhost"}).status_code == 404
    assert client.get(f"/media/{webp['hash']}.jpg", headers={"Host": "alpha.localhost"}).status_code == 404
    assert client.get("/media/nothing.webp", headers={"Host": "alpha.localhost"}).status_code == 404


def test_an_article_shows_its_hero_and_inline_images(app, create_site, publish, get_page, client):
    create_site("alpha")
    item = upload(app, "alpha")
    upload(app, "alpha", key="waiting-room", data=png(900, 600))
    publish("alpha", {"slug": "sun", "image": "sunny-hills",
                      "body": "## Outside\n\nText.\n\n![Our waiting room, bright](media:waiting-room)\n"})
    page = get_page("alpha.localhost", "/en/sun/")
    text = page.response.get_data(as_text=True)
    hero = re.search(r'<figure class="hero"><picture.*?</picture></figure>', text)
    assert hero, text[:3000]
    assert 'loading="lazy"' not in hero.group(0)  # the hero is not lazy: it is the page's largest paint
    assert 'type="image/webp"' in hero.group(0) and "sizes=" in hero.group(0)
    assert 'width="1600" height="1000"' in hero.group(0) and f'alt="{ALT["en"]}"' in hero.group(0)
    body = text[text.index('class="article__body'):]
    inline = re.search(r"<picture.*?</picture>", body).group(0)
    assert 'loading="lazy"' in inline and 'alt="Our waiting room, bright"' in inline
    assert 'width="900" height="600"' in inline
    og = re.search(r'<meta property="og:image" content="([^"]+)"', text).group(1)
    assert og == f"http://alpha.localhost/media/{item['social']}.jpg"
    assert re.search(r'<meta name="twitter:image" content="' + re.escape(og), text)
    assert '"image": {"@type": "ImageObject"' in text or '"image":{"@type":"ImageObject"' in text
    crop = client.get(f"/media/{item['social']}.jpg", headers={"Host": "alpha.localhost"})
    assert Image.open(io.BytesIO(crop.data)).size == (1200, 630)


def test_an_unknown_image_key_is_an_import_error_naming_it(app, create_site, write_article, cli, tmp_path):
    create_site("alpha")
    folder = tmp_path / "c"
    write_article(folder, slug="a", image="no-such-hero")
    write_article(folder, slug="b", body="Text.\n\n![x](media:no-such-inline)\n")
    result = cli("content", "import", folder, "--site", "alpha")
    assert result.exit_code != 0
    assert "no-such-hero" in result.output and "no-such-inline" in result.output
    assert "image:" in result.output


def test_deleting_a_site_removes_its_media(app, create_site):
    create_site("alpha")
    create_site("beta")
    upload(app, "alpha")
    upload(app, "beta")
    with app.app_context():
        sess = db.session()
        removal.delete_site(sess, sess.scalar(select(Site).where(Site.slug == "alpha")))
        sess.commit()
        left = sess.execute(select(MediaItem.site_id, func.count()).group_by(MediaItem.site_id)).all()
        assert len(left) == 1
        assert {row.site_id for row in sess.scalars(select(MediaFile))} == {left[0][0]}


def test_export_and_import_carry_the_images(app, create_site, publish, cli, tmp_path, get_page):
    create_site("alpha", locales=("en", "ar"))
    create_site("gamma", locales=("en", "ar"))
    upload(app, "alpha", focal=(0.2, 0.3))
    publish("alpha", {"slug": "sun", "image": "sunny-hills"})
    folder = tmp_path / "out"
    result = cli("content", "export", "--site", "alpha", folder)
    assert result.exit_code == 0, result.output
    index = (folder / "media" / "index.yaml").read_text(encoding="utf-8")
    assert "sunny-hills.jpg" in index and ALT["ar"] in index
    with Image.open(folder / "media" / "sunny-hills.jpg") as exported:
        assert exported.size == (1600, 1000)
    result = cli("content", "import", folder, "--site", "gamma")
    assert result.exit_code == 0, result.output
    with app.app_context():
        sess = db.session()
        gamma = sess.scalar(select(Site).where(Site.slug == "gamma"))
        item = media.by_keys(sess, gamma.id, ["sunny-hills"])["sunny-hills"]
        assert (item.focal_x, item.focal_y, item.alt) == (0.2, 0.3, ALT)
    page = get_page("gamma.localhost", "/en/sun/")
    assert '<figure class="hero">' in page.response.get_data(as_text=True)


def test_an_import_whose_image_file_is_missing_keeps_nothing(app, create_site, write_article, cli, tmp_path):
    create_site("alpha")
    folder = tmp_path / "in"
    write_article(folder, slug="a", image="lost")
    (folder / "media").mkdir()
    (folder / "media" / "index.yaml").write_text("- key: lost\n  file: lost.jpg\n  alt: {en: Lost}\n")
    result = cli("content", "import", folder, "--site", "alpha")
    assert result.exit_code != 0 and "lost.jpg" in result.output
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(MediaItem)) == 0


def test_a_new_focal_point_reaches_the_cached_article_page(app, create_site, publish, client):
    create_site("alpha")
    first = upload(app, "alpha")
    publish("alpha", {"slug": "sun", "image": "sunny-hills"})

    def og() -> str:
        text = client.get("/en/sun/", headers={"Host": "alpha.localhost"}).get_data(as_text=True)
        return re.search(r'<meta property="og:image" content="([^"]+)"', text).group(1)

    assert og().endswith(first["social"] + ".jpg")
    assert og().endswith(first["social"] + ".jpg")  # now from the page cache
    with app.app_context():
        sess = db.session()
        site = sess.scalar(select(Site).where(Site.slug == "alpha"))
        item = media.by_keys(sess, site.id, ["sunny-hills"])["sunny-hills"]
        assert media.update(sess, site, item, dict(item.alt), (0.1, 0.9))
        sess.commit()
        social = item.social
    assert social != first["social"] and og().endswith(social + ".jpg")
