# syntax=docker/dockerfile:1
# The master_data service. Build from the workspace root (the uv workspace and its lock live there):
#   docker build -f infra/docker/master-data.Dockerfile -t retail-sync/master-data:dev .
# Runs `python -m master_data serve`; Kubernetes runs `python -m master_data migrate` as an init container.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# uv of the release that wrote uv.lock (an older uv may refuse a newer lock revision).
FROM ghcr.io/astral-sh/uv:0.13 AS uv

FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Third-party dependencies first, from the lock alone: this layer survives source edits.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --no-install-workspace --package retail-sync-master-data
# Then the workspace itself (.dockerignore keeps tests, caches and docs out). Members stay editable
# installs, so the service finds its migrations/ and the protos in contracts/ beside its source.
COPY . /app
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package retail-sync-master-data \
 && python -m compileall -q libs services

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --gid 10001 retail && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin retail
COPY --from=build --chown=root:root /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RETAIL_SYNC_HTTP_HOST=0.0.0.0 \
    RETAIL_SYNC_GENERATED_DIR=/tmp/retail-sync/generated
WORKDIR /app
USER 10001:10001
EXPOSE 8100
CMD ["python", "-m", "master_data", "serve"]
