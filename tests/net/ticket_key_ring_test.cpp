// TicketKeyRing's schedule with the clock passed in: which key seals, which still open, when a
// key is forgotten, and the rotation count.
#include "net/ticket_key_ring.hpp"

#include <gtest/gtest.h>

namespace levelcast {
namespace {

constexpr int64_t kPeriod = 100;
constexpr int64_t kStart = 5000;

bool same(const TicketKeyRing::Key& a, const TicketKeyRing::Key& b) { return a.name == b.name; }

TEST(TicketKeyRing, OneKeySealsAndOpensWithinThePeriod) {
  std::atomic<uint64_t> rotations{0};
  TicketKeyRing ring(kPeriod, kStart, &rotations);
  const TicketKeyRing::Key first = ring.sealing_key(kStart);
  EXPECT_TRUE(same(ring.sealing_key(kStart + kPeriod - 1), first));
  const auto found = ring.find(first.name.data(), kStart + kPeriod - 1);
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->sealing);
  EXPECT_EQ(found->key.aes_key, first.aes_key);
  EXPECT_EQ(found->key.hmac_key, first.hmac_key);
  EXPECT_EQ(ring.size(kStart + kPeriod - 1), 1u);
  EXPECT_EQ(rotations.load(), 0u);
}

TEST(TicketKeyRing, AfterARotationTheOldKeyOpensForOneMorePeriodThenIsForgotten) {
  std::atomic<uint64_t> rotations{0};
  TicketKeyRing ring(kPeriod, kStart, &rotations);
  const TicketKeyRing::Key first = ring.sealing_key(kStart + 10);
  const int64_t rotated_at = kStart + kPeriod;
  const TicketKeyRing::Key second = ring.sealing_key(rotated_at);
  EXPECT_FALSE(same(second, first));
  EXPECT_EQ(rotations.load(), 1u);

  const auto old = ring.find(first.name.data(), rotated_at + kPeriod - 1);
  ASSERT_TRUE(old) << "a ticket sealed before the rotation still opens";
  EXPECT_FALSE(old->sealing) << "and is renewed with the new key";
  const auto current = ring.find(second.name.data(), rotated_at + kPeriod - 1);
  ASSERT_TRUE(current);
  EXPECT_TRUE(current->sealing);
  EXPECT_EQ(ring.size(rotated_at + kPeriod - 1), 2u);

  // Two periods after it was made the first key is gone, and the second has stopped sealing.
  EXPECT_FALSE(ring.find(first.name.data(), kStart + 2 * kPeriod));
  EXPECT_EQ(rotations.load(), 2u);
  const auto second_later = ring.find(second.name.data(), kStart + 2 * kPeriod);
  ASSERT_TRUE(second_later);
  EXPECT_FALSE(second_later->sealing);
  EXPECT_EQ(ring.size(kStart + 2 * kPeriod), 2u);
}

TEST(TicketKeyRing, AfterAQuietSpellOneFreshKeyAndNothingOld) {
  std::atomic<uint64_t> rotations{0};
  TicketKeyRing ring(kPeriod, kStart, &rotations);
  const TicketKeyRing::Key first = ring.sealing_key(kStart);
  const int64_t much_later = kStart + 50 * kPeriod;
  EXPECT_FALSE(ring.find(first.name.data(), much_later));
  EXPECT_EQ(ring.size(much_later), 1u);
  EXPECT_EQ(rotations.load(), 1u);
  // The new key's period starts when it was made.
  const TicketKeyRing::Key fresh = ring.sealing_key(much_later);
  EXPECT_TRUE(same(ring.sealing_key(much_later + kPeriod - 1), fresh));
  EXPECT_FALSE(same(ring.sealing_key(much_later + kPeriod), fresh));
}

TEST(TicketKeyRing, UnknownNamesOpenNothing) {
  TicketKeyRing ring(kPeriod, kStart);
  const TicketKeyRing::Key key = ring.sealing_key(kStart);
  auto name = key.name;
  name[0] ^= 1;
  EXPECT_FALSE(ring.find(name.data(), kStart));
}

TEST(TicketKeyRing, KeysAreRandom) {
  TicketKeyRing a(kPeriod, kStart);
  TicketKeyRing b(kPeriod, kStart);
  const TicketKeyRing::Key ka = a.sealing_key(kStart);
  const TicketKeyRing::Key kb = b.sealing_key(kStart);
  EXPECT_NE(ka.name, kb.name);
  EXPECT_NE(ka.aes_key, kb.aes_key);
  EXPECT_NE(ka.hmac_key, kb.hmac_key);
  EXPECT_NE(ka.aes_key, ka.hmac_key);
}

}  // namespace
}  // namespace levelcast
