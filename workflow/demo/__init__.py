"""The demo year of Yongjia county (永嘉县, Wenzhou): data in :mod:`.data`, the loader in
:mod:`.builder`; ``python manage.py load_demo`` runs it."""
