#include "data/append.h"

#include <limits>
#include <numeric>

#include "common/errors.h"

namespace reclab::data {

namespace {

void requireColumn(bool baseHas, bool extraHas, const std::string& what) {
  if (baseHas && !extraHas) {
    throw InputError("append: the dataset has a " + what + " column but the added rows have none");
  }
}

void noteIgnored(bool baseHas, bool extraHas, const char* what, AppendResult& out) {
  if (extraHas && !baseHas) {
    out.warnings.push_back(std::string("the added rows' ") + what +
                           " column is ignored: the dataset has none");
  }
}

/// Dense index in `target` of the ids of `source` that `column` uses, in order of first use,
/// interning the unknown ones at the end (ids no row uses are not added).
std::vector<std::int32_t> mapIds(IdMap& target, const IdMap& source,
                                 const std::vector<std::int32_t>& column) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(source.size()), -1);
  for (auto id : column) {
    auto& slot = out[static_cast<std::size_t>(id)];
    if (slot < 0) slot = target.intern(source.original(id));
  }
  return out;
}

}  // namespace

std::vector<std::uint32_t> AppendResult::rows() const {
  std::vector<std::uint32_t> r(numRows());
  std::iota(r.begin(), r.end(), firstRow);
  return r;
}

AppendResult appendRows(InteractionLog& base, const InteractionLog& extra) {
  extra.validate();
  AppendResult out;
  const std::size_t oldRows = base.numRows();
  const std::size_t added = extra.numRows();
  if (oldRows + added > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError("append: " + std::to_string(oldRows + added) +
                     " rows in all is more than a log can hold (2^32 - 1)");
  }
  requireColumn(base.hasUsers(), extra.hasUsers(), "user");
  requireColumn(base.hasTimestamps(), extra.hasTimestamps(), "timestamp");
  requireColumn(base.hasValues(), extra.hasValues(),
                "value" + (base.valueName.empty() ? std::string() : " ('" + base.valueName + "')"));
  requireColumn(base.hasSessions(), extra.hasSessions(), "session");
  noteIgnored(base.hasUsers(), extra.hasUsers(), "user", out);
  noteIgnored(base.hasTimestamps(), extra.hasTimestamps(), "timestamp", out);
  noteIgnored(base.hasValues(), extra.hasValues(), "value", out);
  noteIgnored(base.hasSessions(), extra.hasSessions(), "session", out);

  // Event names: merged by name, computed on a copy so that a failure leaves the base as is.
  std::vector<std::string> names = base.eventNames;
  std::vector<std::uint8_t> eventMap(std::max<std::size_t>(extra.eventNames.size(), 1), 0);
  for (std::size_t e = 0; e < extra.eventNames.size(); ++e) {
    std::size_t found = 0;
    while (found < names.size() && names[found] != extra.eventNames[e]) ++found;
    if (found == names.size()) {
      if (names.size() >= 255) {
        throw InputError("append: more than 255 event types once '" + extra.eventNames[e] +
                         "' is added");
      }
      names.push_back(extra.eventNames[e]);
      out.newEvents.push_back(extra.eventNames[e]);
    }
    eventMap[e] = static_cast<std::uint8_t>(found);
  }
  bool needEvents = base.hasEvents();
  for (std::size_t r = 0; r < added && !needEvents; ++r)
    needEvents = eventMap[extra.eventAt(r)] != 0;

  // From here on nothing throws for bad input: mutate the base.
  const auto usersBefore = base.numUsers(), itemsBefore = base.numItems();
  const auto sessionsBefore = base.numSessions();
  base.eventNames = std::move(names);
  const auto itemMap = mapIds(base.items, extra.items, extra.item);
  const auto userMap =
      base.hasUsers() ? mapIds(base.users, extra.users, extra.user) : std::vector<std::int32_t>{};
  const auto sessionMap = base.hasSessions() ? mapIds(base.sessions, extra.sessions, extra.session)
                                             : std::vector<std::int32_t>{};
  if (needEvents && !base.hasEvents()) base.event.assign(oldRows, 0);

  base.item.reserve(oldRows + added);
  for (std::size_t r = 0; r < added; ++r) {
    base.item.push_back(itemMap[static_cast<std::size_t>(extra.item[r])]);
  }
  if (base.hasUsers()) {
    base.user.reserve(oldRows + added);
    for (std::size_t r = 0; r < added; ++r) {
      base.user.push_back(userMap[static_cast<std::size_t>(extra.user[r])]);
    }
  }
  if (base.hasSessions()) {
    base.session.reserve(oldRows + added);
    for (std::size_t r = 0; r < added; ++r) {
      base.session.push_back(sessionMap[static_cast<std::size_t>(extra.session[r])]);
    }
  }
  if (needEvents) {
    base.event.reserve(oldRows + added);
    for (std::size_t r = 0; r < added; ++r) base.event.push_back(eventMap[extra.eventAt(r)]);
  }
  if (base.hasValues()) base.value.insert(base.value.end(), extra.value.begin(), extra.value.end());
  if (base.hasTimestamps()) {
    base.timestamp.reserve(oldRows + added);
    for (std::size_t r = 0; r < added; ++r) base.timestamp.push_back(extra.timestamp[r]);
  }
  if (!base.userAttributes.empty()) base.userAttributes.resize(base.numUsers());
  if (!base.itemAttributes.empty()) base.itemAttributes.resize(base.numItems());

  out.firstRow = static_cast<std::uint32_t>(oldRows);
  out.endRow = static_cast<std::uint32_t>(oldRows + added);
  out.newUsers = base.numUsers() - usersBefore;
  out.newItems = base.numItems() - itemsBefore;
  out.newSessions = base.numSessions() - sessionsBefore;
  base.validate();
  return out;
}

}  // namespace reclab::data
