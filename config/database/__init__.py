"""The PostgreSQL database backend of the project (``ENGINE = "config.database"``): Django's, with a cheaper health check."""
