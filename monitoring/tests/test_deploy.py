"""What can be checked of the deployment without a Docker engine: files, names and the build script."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import Client
from prometheus_client.metrics import MetricWrapperBase

from monitoring import metrics

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SHOP_SERVICES = {"web": "web", "bot": "bot"}


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def defined_metric_names() -> set[str]:
    return {value._name for value in vars(metrics).values() if isinstance(value, MetricWrapperBase)}


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((BASE_DIR / "deploy" / "grafana-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def base_name(series: str) -> str:
    return re.sub(r"_(bucket|sum|count|total)$", "", series)


def test_it_defines_every_service_of_the_shop():
    services = compose()["services"]

    assert {"postgres", "redis", "web", "bot", "prometheus"} <= set(services)
    assert "monitoring" in services["prometheus"]["profiles"]
    assert "profiles" not in services["web"] and "profiles" not in services["bot"]


@pytest.mark.parametrize(("service", "process"), SHOP_SERVICES.items())
def test_it_starts_each_shop_service_through_the_entrypoint(service, process):
    definition = compose()["services"][service]

    assert definition["build"] == "."
    assert definition["command"] == ["scripts/docker-entrypoint", process]
    assert {"postgres", "redis"} <= set(definition["depends_on"])
    assert os.access(BASE_DIR / "scripts" / "docker-entrypoint", os.X_OK)


def test_it_mounts_the_prometheus_configuration_that_exists():
    volumes = compose()["services"]["prometheus"]["volumes"]

    assert "./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in volumes
    assert (BASE_DIR / "deploy" / "prometheus.yml").is_file()


def test_it_scrapes_the_web_and_the_bot_where_they_listen():
    config = yaml.safe_load((BASE_DIR / "deploy" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}

    assert jobs["shopbot-web"]["metrics_path"] == "/metrics"
    assert jobs["shopbot-web"]["static_configs"][0]["targets"] == ["web:8000"]
    assert jobs["shopbot-bot"]["static_configs"][0]["targets"] == ["bot:9100"]
    assert "0.0.0.0:8000" in (BASE_DIR / "scripts" / "docker-entrypoint").read_text()


def test_it_charts_only_metrics_the_shop_defines():
    used = {base_name(name) for expr in dashboard_expressions() for name in re.findall(r"shopbot_\w+", expr)}

    assert used <= defined_metric_names(), used - defined_metric_names()


def test_it_charts_every_metric_the_shop_defines():
    used = {base_name(name) for expr in dashboard_expressions() for name in re.findall(r"shopbot_\w+", expr)}

    assert defined_metric_names() <= used, defined_metric_names() - used


def test_it_charts_web_metrics_the_web_process_exports():
    exported = Client().get("/metrics").content.decode()

    for name in {name for expr in dashboard_expressions() for name in re.findall(r"django_\w+", expr)}:
        assert re.sub(r"_bucket$", "", name) in exported, name


def test_it_builds_the_assets_as_the_image_does(tmp_path):
    # A copy of the project, as the Dockerfile's `COPY . .`, so compiled
    # translations never touch the working tree.
    project = tmp_path / "app"
    shutil.copytree(
        BASE_DIR,
        project,
        ignore=shutil.ignore_patterns(".git", ".venv", "data", "staticfiles", "__pycache__"),
    )
    static_root = tmp_path / "static"
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}

    result = subprocess.run(
        ["scripts/build-assets"],
        check=False,
        cwd=project,
        env={**env, "PYTHON": sys.executable, "STATIC_ROOT": str(static_root)},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert (static_root / "admin" / "css" / "base.css").is_file()
