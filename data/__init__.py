"""The data that ships with shipwatch: installed as the ``shipwatch.data`` package (see ``shipwatch.resources``)."""
