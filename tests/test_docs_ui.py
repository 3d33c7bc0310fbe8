"""The API docs pages render in a real browser with no network but the app's own (item 14 of issue 11).

A headless Chromium loads Swagger UI and ReDoc from a live `flask serve`, with every other host made
unresolvable, and the rendered DOM must list the operations of the OpenAPI document. `.ci/run` installs
Chromium, so CI always runs these; they are skipped only where no Chromium is installed.
"""

import html
import re
import shutil
import subprocess

import pytest
import requests

from tests.servers import embedded_env, flask_serve, free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM, reason="needs a headless Chromium (Debian: apt-get install chromium); .ci/run installs it"
)


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory):
    """`make run` as a newcomer gets it: embedded, served by `flask serve`."""
    port = free_port()
    with flask_serve(embedded_env(tmp_path_factory.mktemp("docs")), port):
        yield f"http://127.0.0.1:{port}"


def operation_summaries(base: str, tag: str | None = None) -> list[str]:
    document = requests.get(base + "/api/v1/openapi.json", timeout=10).json()
    return [
        operation["summary"]
        for operations in document["paths"].values()
        for method, operation in operations.items()
        if method != "parameters" and (tag is None or tag in operation["tags"])
    ]


def tag_names(base: str) -> list[str]:
    return [tag["name"] for tag in requests.get(base + "/api/v1/openapi.json", timeout=10).json()["tags"]]


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium offline: every host but 127.0.0.1 fails to resolve, as on an air-gapped server."""
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=20000",
            "--window-size=1280,1400",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def rendered_text(tmp_path, url: str) -> str:
    result = chromium(tmp_path, "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    return html.unescape(result.stdout)


def test_docs_pages_load_their_assets_from_the_app_not_a_cdn(docs_server):
    for path in ("/api/v1/docs", "/api/v1/redoc"):
        page = requests.get(docs_server + path, timeout=5).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page)

        assert assets, page
        for asset in assets:
            assert asset.startswith("/static/vendor/"), f"{path} loads {asset} from elsewhere"
            assert requests.get(docs_server + asset, timeout=10).status_code == 200, asset


@needs_chromium
def test_swagger_ui_lists_every_domain_offline(docs_server, tmp_path):
    dom = rendered_text(tmp_path, docs_server + "/api/v1/docs")

    assert re.findall(r'data-tag="([a-z_]+)"', dom) == tag_names(docs_server)


@needs_chromium
@pytest.mark.parametrize("tag", ["auth", "posts"])
def test_swagger_ui_opens_a_domain_with_every_operation_from_its_link(docs_server, tmp_path, tag):
    summaries = operation_summaries(docs_server, tag)

    dom = rendered_text(tmp_path, f"{docs_server}/api/v1/docs#/{tag}")

    assert len(re.findall(r'class="opblock opblock-', dom)) == len(summaries)
    missing = [summary for summary in summaries if summary not in dom]
    assert not missing, f"Swagger UI did not render: {missing[:5]}"


@needs_chromium
def test_redoc_lists_every_operation_offline(docs_server, tmp_path):
    summaries = operation_summaries(docs_server)

    dom = rendered_text(tmp_path, docs_server + "/api/v1/redoc")

    assert 'data-section-id="tag/auth/operation/auth_postLogin"' in dom
    missing = [summary for summary in summaries if summary not in dom]
    assert not missing, f"ReDoc did not render: {missing[:5]}"


@needs_chromium
def test_swagger_ui_screenshot_is_not_blank(docs_server, tmp_path):
    from PIL import Image

    shot = tmp_path / "docs.png"
    result = chromium(tmp_path, f"--screenshot={shot}", docs_server + "/api/v1/docs")

    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "the docs page rendered blank"
