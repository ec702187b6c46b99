from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from seoullearn.catalog.models import Offering, Provider, Track


def track(code: str) -> Track:
    return Track.objects.get(code=code)  # created by catalog.0003


class ProviderFactory(DjangoModelFactory[Provider]):
    class Meta:
        model = Provider
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"provider{n}")
    name_ko = factory.Sequence(lambda n: f"업체{n}")
    name_en = factory.Sequence(lambda n: f"Provider {n}")
    logo_text = "P"


class OfferingFactory(DjangoModelFactory[Offering]):
    class Meta:
        model = Offering

    provider = factory.SubFactory(ProviderFactory)
    track = factory.LazyFunction(lambda: track("middle"))
    title_ko = factory.LazyAttribute(lambda o: f"{o.provider.name_ko} {o.track.name_ko}")
    title_en = factory.LazyAttribute(lambda o: f"{o.provider.name_en} {o.track.name_en}")
    target_levels = factory.LazyAttribute(
        lambda o: (
            []
            if o.track.code == "reading"
            else (
                [o.track.code]
                if o.track.code in {"elementary", "middle", "high"}
                else ["middle", "high", "out_of_school", "adult"]
            )
        )
    )
    subjects = ["국어", "수학"]
