"""Messaging through a Python messenger: templates, outbox, dispatch, retries,
exceptions in callbacks, delivery reports."""
import datetime as dt
import unittest

import loyalty
from loyalty import Channel, MessageState, Purpose
from helpers import MONDAY, Clock, engine

MIN = dt.timedelta(minutes=1)


class FlakyGateway:
    """Fails the first ``failures`` sends temporarily, then accepts."""

    def __init__(self, failures):
        self.failures = failures
        self.sent = []
        self.closed = False

    def send(self, msg):
        if self.failures > 0:
            self.failures -= 1
            raise loyalty.TemporaryError("gateway busy")
        self.sent.append(msg)

    def close(self):
        self.closed = True


class MessagingTest(unittest.TestCase):
    def setUp(self):
        self.clock = Clock(MONDAY + dt.timedelta(hours=2))    # 11:00 in Korea
        self.e = engine(clock=self.clock)
        self.e.customers.create("c1", name="Kim", phone="010-1234-5678",
                                email="kim@example.com")
        m = self.e.messages
        m.configure(ad_label="(ad)", opt_out_line="reply STOP", max_attempts=5,
                    retry_base_seconds=60)
        m.set_template("hello", Channel.SMS, "Hello {name}!")
        m.set_template("hello", Channel.EMAIL, "Hello by mail, {name}!")

    def tearDown(self):
        self.e.close()

    def test_temporary_failure_then_success(self):
        gw = FlakyGateway(failures=1)
        m = self.e.messages
        m.register_messenger(gw)
        m.plan("m1", "c1", "hello", Purpose.TRANSACTIONAL, channel=Channel.SMS)
        r = m.dispatch()
        self.assertEqual((r.claimed, r.retried, r.sent), (1, 1, 0))
        self.assertIs(m.get("m1").state, MessageState.RETRY)
        self.clock.advance(minutes=30)
        r = m.dispatch()
        self.assertEqual(r.sent, 1)
        self.assertEqual(len(gw.sent), 1)
        msg = gw.sent[0]
        self.assertEqual((msg.id, msg.customer_id, msg.channel, msg.text, msg.attempt),
                         ("m1", "c1", Channel.SMS, "Hello Kim!", 2))
        self.assertEqual(msg.address, "+821012345678")
        entry = m.get("m1")
        self.assertIs(entry.state, MessageState.SENT)
        self.assertEqual(entry.attempts, 2)
        m.delivery_report("m1", loyalty.DeliveryKind.DELIVERED)
        self.e.close()
        self.assertTrue(gw.closed)      # the engine dropped the messenger

    def test_permanent_failure(self):
        def gateway(msg):
            raise loyalty.PermanentError("number does not exist")
        self.e.messages.register_messenger(gateway)
        self.e.messages.plan("m1", "c1", "hello", Purpose.TRANSACTIONAL, channel=Channel.SMS)
        self.assertEqual(self.e.messages.dispatch().dead, 1)
        self.assertIs(self.e.messages.get("m1").state, MessageState.DEAD)

    def test_exception_in_messenger_is_reraised_not_swallowed(self):
        def gateway(msg):
            raise KeyError("bug in the gateway code")
        self.e.messages.register_messenger(gateway)
        self.e.messages.plan("m1", "c1", "hello", Purpose.TRANSACTIONAL, channel=Channel.SMS)
        with self.assertRaises(KeyError):
            self.e.messages.dispatch()
        # the message is kept for a retry, not lost
        self.assertIs(self.e.messages.get("m1").state, MessageState.RETRY)

    def test_outbox_listing_cancel_and_templates(self):
        m = self.e.messages
        m.plan("m1", "c1", "hello", Purpose.TRANSACTIONAL, channel=Channel.EMAIL,
               due=self.clock.now + 10 * MIN)
        m.plan("m2", "c1", "hello", Purpose.TRANSACTIONAL, channel=Channel.SMS,
               due=self.clock.now + 20 * MIN, params={"code": "X1"})
        entries = m.list(customer_id="c1")
        self.assertEqual(sorted(x.id for x in entries), ["m1", "m2"])
        self.assertEqual([x.id for x in m.list(due_to=self.clock.now + 15 * MIN)], ["m1"])
        m.cancel("m2")
        self.assertIs(m.get("m2").state, MessageState.CANCELLED)
        self.assertEqual([x.id for x in m.list(state=MessageState.PLANNED)], ["m1"])
        m.remove_template("hello", Channel.EMAIL)
        with self.assertRaises(loyalty.NotFoundError):
            m.remove_template("hello", Channel.EMAIL)
        with self.assertRaises(loyalty.InvalidError) as cm:
            m.set_template("bad", Channel.SMS, "Hi {Name}")
        self.assertIn("placeholder", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
