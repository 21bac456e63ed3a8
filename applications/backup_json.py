"""Django's JSON serialisation, with times to the microsecond (for ``applications.backup``).

``DjangoJSONEncoder`` cuts times to milliseconds (ECMA-262's precision), so a restored row
would differ from the saved one; the backup keeps every digit. Registered by the backup as
the format ``backup-json``; read back by Django's own JSON deserialiser.
"""

import datetime as dt

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder
from typing_extensions import override


class Encoder(DjangoJSONEncoder):
    @override
    def default(self, o):
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    @override
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = Encoder


Deserializer = django_json.Deserializer
