"""The API documentation, served from the app's own files: Swagger UI from the pinned
`swagger-ui-bundle-v2` package (no CDN, so /docs works offline and loads nothing from another
host), started by a static script (the CSP allows no inline script). `VAKT_API_DOCS=off` turns
/docs off; the OpenAPI document stays at /openapi.json."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Vaktfordeling – API</title>
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


def _bundle_dir() -> Path:
    import swagger_ui_bundle  # only when /docs is served (VAKT_API_DOCS=off never loads it)

    return Path(swagger_ui_bundle.swagger_ui_path)


@router.get("/docs")
async def docs() -> Response:
    return HTMLResponse(PAGE)


@router.get("/static/swagger-ui/{name}")
async def swagger_asset(name: str) -> Response:
    if name not in ASSETS:
        return Response(status_code=404)
    return FileResponse(_bundle_dir() / name, media_type=ASSETS[name])
