"""Odd input on the motions' pages gets a 4xx, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.motions.conftest import scheduled

pytestmark = pytest.mark.django_db


def test_an_amendment_that_is_not_a_number_put_to_the_vote_is_404(client, section):
    motion = scheduled(section)
    client.force_login(section.chair)
    response = client.post(
        reverse("motion_vote", args=[motion.pk]), {"mode": "in_room", "amendment": "abc"}
    )
    assert response.status_code == 404
