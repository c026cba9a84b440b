"""Customers: profiles, preferences, notes, tags, anniversaries, consent, snapshots."""
import datetime as dt
import unittest

import loyalty
from loyalty import Channel, Purpose
from helpers import MONDAY, engine


class CustomerTest(unittest.TestCase):
    def setUp(self):
        self.e = engine()
        self.e.customers.create("c1", name="Kim Minji", phone="010-1234-5678",
                                email="kim@example.com", birthday=(0, 7, 14),
                                preferred_channel=Channel.SMS)

    def tearDown(self):
        self.e.close()

    def test_fields_round_trip(self):
        with self.e.customers.get("c1") as c:
            self.assertEqual(c.id, "c1")
            self.assertEqual(c.name, "Kim Minji")
            self.assertEqual(c.phone, "+821012345678")   # stored in E.164
            self.assertEqual(c.email, "kim@example.com")
            self.assertEqual(c.birthday, loyalty.PartialDate(None, 7, 14))
            self.assertIs(c.preferred_channel, Channel.SMS)
            self.assertEqual(c.created, MONDAY)
            self.assertEqual(c.created.tzinfo, dt.timezone.utc)
        with self.assertRaises(loyalty.ClosedError):
            c.name

    def test_update_and_lookups(self):
        self.e.customers.update("c1", name="Kim M.", birthday=dt.date(1986, 3, 5))
        c = self.e.customers.get("c1")
        self.assertEqual(c.name, "Kim M.")
        self.assertEqual(c.birthday.to_date(), dt.date(1986, 3, 5))
        self.assertEqual(c.phone, "+821012345678")   # stored in E.164     # untouched
        self.assertEqual(self.e.customers.find_by_phone("010-1234-5678").id, "c1")
        self.assertEqual(self.e.customers.find_by_email("kim@example.com").id, "c1")
        with self.assertRaises(loyalty.NotFoundError):
            self.e.customers.find_by_email("nobody@example.com")
        self.e.customers.update("c1", birthday=None)
        self.assertIsNone(self.e.customers.get("c1").birthday)

    def test_preferences_notes_tags_anniversaries(self):
        cs = self.e.customers
        cs.set_preference("c1", "doctor", "female")
        cs.set_preference("c1", "food", "no garlic")
        cs.set_note("c1", "allergy", "penicillin")
        cs.add_tag("c1", "vip")
        cs.add_tag("c1", "staff-friend")
        cs.remove_tag("c1", "staff-friend")
        cs.set_anniversary("c1", "wedding", (2015, 5, 20))
        c = cs.get("c1")
        self.assertEqual(c.preferences, {"doctor": "female", "food": "no garlic"})
        self.assertEqual(c.preference("food"), "no garlic")
        self.assertIsNone(c.preference("music"))
        self.assertEqual(c.notes, {"allergy": "penicillin"})
        self.assertEqual(c.note("allergy"), "penicillin")
        self.assertEqual(c.tags, ["vip"])
        self.assertTrue(c.has_tag("vip"))
        self.assertFalse(c.has_tag("staff-friend"))
        self.assertEqual(c.anniversaries, {"wedding": loyalty.PartialDate(2015, 5, 20)})

    def test_consent(self):
        self.e.customers.set_consent("c1", Channel.SMS, Purpose.MARKETING, True)
        c = self.e.customers.get("c1")
        granted, since = c.consent(Channel.SMS, Purpose.MARKETING)
        self.assertTrue(granted)
        self.assertEqual(since, MONDAY)
        self.assertFalse(c.consent(Channel.EMAIL, Purpose.MARKETING)[0])

    def test_snapshot_outlives_engine_and_erase(self):
        c = self.e.customers.get("c1")
        self.e.customers.erase("c1")
        self.e.close()
        self.assertEqual(c.name, "Kim Minji")   # a snapshot, freed on its own
        c.close()
        c.close()


if __name__ == "__main__":
    unittest.main()
