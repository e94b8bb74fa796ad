"""Operations console: a web page over the services REST APIs (never their databases)."""
