DROP TABLE IF EXISTS ai_config_versions;
