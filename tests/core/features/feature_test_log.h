#pragma once
// The hand-built log of the feature tests: 10 RetailRocket-shaped rows (users, items, event
// types, timestamps, no session column), with item and user properties. Every derived value
// asserted in the tests is computed by hand in the comments of derivations_test.cpp.

#include <cstdint>
#include <string>
#include <vector>

#include "data/interaction_log.h"
#include "features/feature_config.h"

namespace reclab::features::testing {

/// 2024-01-01 00:00:00 UTC, a Monday, in seconds.
inline constexpr std::int64_t kMonday = 1'704'067'200;

/// Rows (file order; times are seconds after kMonday):
///   r0 u1 i1 view         36000  (Mon 10:00:00)
///   r1 u1 i2 view         36300  (Mon 10:05:00)
///   r2 u2 i1 view         36300  (Mon 10:05:00)
///   r3 u1 i2 addtocart    36300  (Mon 10:05:00, same time as r1)
///   r4 u1 i2 transaction  37200  (Mon 10:20:00)
///   r5 u1 i3 view         39600  (Mon 11:00:00, 40 min after r4: new session)
///   r6 u2 i2 view         38100  (Mon 10:35:00, exactly 30 min after r2: same session)
///   r7 u2 i1 addtocart   172799  (Tue 23:59:59)
///   r8 u1 i1 view        518400  (Sun 00:00:00)
///   r9 u2 i3 view         38100  (Mon 10:35:00, same time as r6)
/// Items: i1 price 10, category A, available 1; i2 no price, category B, available 0;
/// i3 price 100, category A, availability unknown. Users: u1 age 30, F; u2 no age, M.
inline data::InteractionLog makeFeatureLog() {
  data::InteractionLog log;
  log.eventNames = {"view", "addtocart", "transaction"};
  log.users.intern("u1");
  log.users.intern("u2");
  log.items.intern("i1");
  log.items.intern("i2");
  log.items.intern("i3");
  struct Row {
    std::int32_t user, item;
    std::uint8_t event;
    std::int64_t seconds;
  };
  const Row rows[] = {{0, 0, 0, 36000},  {0, 1, 0, 36300}, {1, 0, 0, 36300}, {0, 1, 1, 36300},
                      {0, 1, 2, 37200},  {0, 2, 0, 39600}, {1, 1, 0, 38100}, {1, 0, 1, 172799},
                      {0, 0, 0, 518400}, {1, 2, 0, 38100}};
  for (const auto& r : rows) {
    log.user.push_back(r.user);
    log.item.push_back(r.item);
    log.event.push_back(r.event);
    log.timestamp.push_back((kMonday + r.seconds) * 1000);
  }
  auto& items = log.itemAttributes;
  items.ensure("price", data::Attribute::Kind::Numeric);
  items.ensure("category", data::Attribute::Kind::Categorical);
  items.ensure("available", data::Attribute::Kind::Numeric);
  items.setNumeric("price", 0, 10.0);
  items.setNumeric("price", 2, 100.0);
  items.setCategorical("category", 0, "A");
  items.setCategorical("category", 1, "B");
  items.setCategorical("category", 2, "A");
  items.setNumeric("available", 0, 1.0);
  items.setNumeric("available", 1, 0.0);
  items.resize(3);
  auto& users = log.userAttributes;
  users.ensure("age", data::Attribute::Kind::Numeric);
  users.ensure("gender", data::Attribute::Kind::Categorical);
  users.setNumeric("age", 0, 30.0);
  users.setCategorical("gender", 0, "F");
  users.setCategorical("gender", 1, "M");
  users.resize(2);
  log.validate();
  return log;
}

/// One enabled attribute.
inline AttributeSpec spec(const std::string& name, Source source, const std::string& from,
                          Encoder encoder, Missing missing = Missing::Zero, int maxCategories = 0) {
  AttributeSpec a;
  a.name = name;
  a.source = source;
  a.from = from;
  a.encoder = encoder;
  a.missing = missing;
  a.maxCategories = maxCategories;
  return a;
}

/// A derived attribute named after its derivation.
inline AttributeSpec derived(const std::string& from, Encoder encoder = Encoder::Identity,
                             Missing missing = Missing::Zero) {
  return spec(from, Source::Derived, from, encoder, missing);
}

}  // namespace reclab::features::testing
