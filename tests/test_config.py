"""Configuration comes only from the environment; production refuses unsafe settings."""

import pytest

from config import DEV_SECRET, ConfigError, DevelopmentConfig, ProductionConfig, load_config, normalise_database_url

GOOD_SECRET = "s" * 40


@pytest.fixture
def production_env(monkeypatch):
    for name, value in {
        "SECRET_KEY": GOOD_SECRET,
        "JWT_SECRET_KEY": GOOD_SECRET,
        "DATABASE_URL": "postgresql://stride@db/stride",
        "REDIS_URL": "redis://cache:6379/0",
    }.items():
        monkeypatch.setattr(ProductionConfig, name, value)
    return monkeypatch


def test_production_accepts_complete_settings(production_env):
    settings = load_config("production")

    assert settings.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://stride@db/stride"


@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SECRET_KEY"])
@pytest.mark.parametrize("value", [None, DEV_SECRET, "short"])
def test_production_refuses_a_missing_or_default_secret_naming_it(production_env, name, value):
    production_env.setattr(ProductionConfig, name, value)

    with pytest.raises(ConfigError, match=name):
        load_config("production")


@pytest.mark.parametrize("name", ["DATABASE_URL", "REDIS_URL"])
def test_production_refuses_embedded_stand_ins(production_env, name):
    production_env.setattr(ProductionConfig, name, None)

    with pytest.raises(ConfigError, match=name):
        load_config("production")


def test_development_defaults_to_a_sqlite_file_under_instance_and_embedded_redis(monkeypatch):
    monkeypatch.setattr(DevelopmentConfig, "DATABASE_URL", None)
    monkeypatch.setattr(DevelopmentConfig, "REDIS_URL", None)

    settings = load_config("development")

    assert settings.SQLALCHEMY_DATABASE_URI.endswith("/instance/stride.sqlite")
    assert settings.is_embedded_redis


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="STRIDE_ENV"):
        load_config("staging")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg_3(url, expected):
    assert normalise_database_url(url) == expected


@pytest.mark.parametrize("value", ["eur", "EURO", "", "E1R"])
def test_a_default_currency_that_is_not_an_iso_code_is_refused(monkeypatch, value):
    monkeypatch.setattr(DevelopmentConfig, "DEFAULT_CURRENCY", value)

    with pytest.raises(ConfigError, match="DEFAULT_CURRENCY"):
        load_config("development")


def test_postgresql_connections_run_without_jit_unless_asked(monkeypatch):
    monkeypatch.setattr(DevelopmentConfig, "DATABASE_URL", "postgresql://stride@db/stride")
    assert DevelopmentConfig().SQLALCHEMY_ENGINE_OPTIONS["connect_args"] == {"options": "-c jit=off"}

    monkeypatch.setattr(DevelopmentConfig, "DATABASE_JIT_OFF", False)
    assert "connect_args" not in DevelopmentConfig().SQLALCHEMY_ENGINE_OPTIONS


def test_sqlite_connections_get_no_postgresql_options(monkeypatch):
    monkeypatch.setattr(DevelopmentConfig, "DATABASE_URL", None)
    assert "connect_args" not in DevelopmentConfig().SQLALCHEMY_ENGINE_OPTIONS


@pytest.mark.parametrize(("name", "value"), [("PHONE_DEFAULT_REGION", "XX"), ("MFA_REQUIRED_ROLES", ["admins"])])
def test_a_phone_region_or_a_role_that_does_not_exist_is_refused(monkeypatch, name, value):
    monkeypatch.setattr(DevelopmentConfig, name, value)

    with pytest.raises(ConfigError, match=name):
        load_config("development")


def test_known_phone_regions_and_roles_are_accepted(monkeypatch):
    monkeypatch.setattr(DevelopmentConfig, "PHONE_DEFAULT_REGION", "DE")
    monkeypatch.setattr(DevelopmentConfig, "MFA_REQUIRED_ROLES", ["admin", "trainer"])

    assert load_config("development").MFA_REQUIRED_ROLES == ["admin", "trainer"]
