import os

from django.core.asgi import get_asgi_application

from tidycrm.core.runtime import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidycrm.settings")
application = get_asgi_application()
freeze_startup_objects()
