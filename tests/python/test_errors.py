"""Negative codes become the right exception classes with the engine's message."""
import datetime as dt
import unittest

import loyalty
from loyalty import errors
from helpers import MONDAY, engine


class ErrorClassTest(unittest.TestCase):
    def test_one_class_per_code(self):
        seen = set()
        for code in range(-1, -16, -1):
            cls = errors.error_class(code)
            self.assertIsNot(cls, loyalty.LoyaltyError, code)
            self.assertEqual(cls.code, code)
            self.assertTrue(issubclass(cls, loyalty.LoyaltyError))
            seen.add(cls)
            self.assertTrue(loyalty.strerror(code))
        self.assertEqual(len(seen), 15)
        self.assertIs(errors.error_class(-99), loyalty.LoyaltyError)


class ErrorMappingTest(unittest.TestCase):
    def setUp(self):
        self.e = engine()
        self.e.customers.create("c1", name="Kim", phone="010-1111-2222")

    def tearDown(self):
        self.e.close()

    def test_invalid(self):
        with self.assertRaises(loyalty.InvalidError) as cm:
            self.e.customers.create("x" * 65)
        self.assertEqual(cm.exception.code, -1)
        self.assertIn("customer id", str(cm.exception))
        self.assertIn("customer id", self.e.last_error())

    def test_not_found_and_exists(self):
        with self.assertRaises(loyalty.NotFoundError):
            self.e.customers.get("nobody")
        self.assertIsNone(self.e.customers.find("nobody"))
        with self.assertRaises(loyalty.ExistsError):
            self.e.customers.create("c1")

    def test_messages_carry_no_personal_data(self):
        with self.assertRaises(loyalty.ExistsError) as cm:
            self.e.customers.create("c1", name="Kim", phone="010-1111-2222")
        self.assertNotIn("Kim", str(cm.exception))
        self.assertNotIn("010-1111-2222", str(cm.exception))

    def test_range(self):
        self.e.programs.define("pts", "Points", loyalty.ProgramKind.POINTS,
                               rules=[loyalty.EarnRule(loyalty.EarnKind.PER_VISIT, 10)])
        self.e.events.record(loyalty.EventType.VISIT, "v1", "c1", time=MONDAY)
        with self.assertRaises(loyalty.RangeError):
            self.e.programs.spend_points("c1", "pts", "s1", 1000)

    def test_state_without_messenger(self):
        with self.assertRaises(loyalty.StateError):
            self.e.messages.dispatch()

    def test_parse_names_the_line(self):
        with self.assertRaises(loyalty.ParseError) as cm:
            self.e.programs.load_text("[program x]\nkind = nonsense\n", "bad.ini")
        self.assertIn("bad.ini:2", str(cm.exception))

    def test_naive_datetime_refused(self):
        with self.assertRaises(ValueError):
            self.e.events.record(loyalty.EventType.VISIT, "v9", "c1",
                                 time=dt.datetime(2026, 3, 2, 10, 0))

    def test_closed_engine(self):
        self.e.close()
        self.e.close()          # idempotent
        self.assertTrue(self.e.closed)
        with self.assertRaises(loyalty.ClosedError):
            self.e.customers.get("c1")
        with self.assertRaises(loyalty.ClosedError):
            self.e.now()


if __name__ == "__main__":
    unittest.main()
