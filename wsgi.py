from clinicjournal import create_app

application = create_app()  # WhiteNoise wraps app.wsgi_app inside the factory
