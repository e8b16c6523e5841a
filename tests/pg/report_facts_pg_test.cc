// The registry's and the donations' parts of the reduction report against
// a real database: counts and sums of one area and one period, days and
// months as Amsterdam reads them, nothing of another area or outside.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/registry/pg_registry_store.h"
#include "services/reports/donation_contribution.h"
#include "tests/support/pg_environment.h"

namespace kvo::registry {
namespace {

using Counts = std::map<std::string, int64_t>;

class ReportFactsPgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    conn_ = std::make_unique<pqxx::connection>(conninfo());
    area_a_ =
        Id("INSERT INTO areas (name, kind, municipality) VALUES ('A', "
           "'shopping_area', 'Deventer') RETURNING id");
    area_b_ =
        Id("INSERT INTO areas (name, kind, municipality) VALUES ('B', "
           "'shopping_area', 'Zwolle') RETURNING id");
    shop_a_ = Id(absl::StrCat("INSERT INTO shops (area_id, name) VALUES (",
                              area_a_, ", 'Bakkerij') RETURNING id"));
    shop_b_ = Id(absl::StrCat("INSERT INTO shops (area_id, name) VALUES (",
                              area_b_, ", 'Slager') RETURNING id"));
  }

  int64_t Id(const std::string& sql) {
    pqxx::work tx(*conn_);
    const int64_t id = tx.exec1(sql)[0].as<int64_t>();
    tx.commit();
    return id;
  }
  int64_t Person() {
    return Id(absl::StrCat(
        "INSERT INTO persons (pseudonym, blind_index, registered_area_id) "
        "VALUES (md5(random()::text), 'b', ",
        area_a_, ") RETURNING id"));
  }
  int64_t Incident(int64_t area, int64_t shop, const std::string& at,
                   const std::string& type, int64_t damage) {
    return Id(absl::StrCat(
        "INSERT INTO incidents (area_id, shop_id, occurred_at, offence_type, "
        "damage_cents, has_police_report) VALUES (",
        area, ", ", shop, ", '", at, "', '", type, "', ", damage,
        ", false) RETURNING id"));
  }
  int64_t Card(int64_t person, int64_t incident, int64_t area, int64_t shop,
               const std::string& kind, const std::string& from) {
    return Id(absl::StrCat(
        "INSERT INTO cards (person_id, incident_id, area_id, shop_id, kind, "
        "valid_from, valid_until, days, rule, shops) VALUES (",
        person, ", ", incident, ", ", area, ", ", shop, ", '", kind, "', '",
        from, "', timestamptz '", from,
        "' + interval '365 days', 365, 'r', 'Bakkerij') RETURNING id"));
  }
  void Objection(int64_t card, const std::string& decision) {
    Id(absl::StrCat(
        "INSERT INTO objections (card_id, sealed_grounds, respond_by, "
        "decision, decided_at) VALUES (",
        card, ", 'g', now(), ",
        decision.empty() ? "NULL, NULL"
                         : absl::StrCat("'", decision, "', now()"),
        ") RETURNING id"));
  }
  AreaFacts Facts(int64_t area, absl::Time from, absl::Time to) {
    pqxx::read_transaction tx(*conn_);
    return PgRegistryStore::FactsOfArea(tx, area, from, to);
  }

  std::unique_ptr<pqxx::connection> conn_;
  int64_t area_a_ = 0, area_b_ = 0, shop_a_ = 0, shop_b_ = 0;
};

absl::Time Utc(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

TEST_F(ReportFactsPgTest, CountsOneAreaAndOnePeriod) {
  const int64_t piet = Person(), jan = Person(), kees = Person();
  // In the period (2025), area A.
  const int64_t i1 =
      Incident(area_a_, shop_a_, "2025-01-10 12:00+00", "theft", 1000);
  const int64_t i2 =
      Incident(area_a_, shop_a_, "2025-03-05 12:00+00", "theft", 2500);
  const int64_t i3 =
      Incident(area_a_, shop_a_, "2025-03-06 12:00+00", "violence", 0);
  // 23:30 UTC on 31 January is 00:30 on 1 February in Amsterdam.
  const int64_t i4 =
      Incident(area_a_, shop_a_, "2025-01-31 23:30+00", "nuisance", 100);
  // Outside: before, at the (exclusive) end, and another area.
  const int64_t i5 =
      Incident(area_a_, shop_a_, "2024-12-31 12:00+00", "theft", 9999);
  Incident(area_a_, shop_a_, "2026-01-01 00:00+00", "theft", 9999);
  const int64_t i7 =
      Incident(area_b_, shop_b_, "2025-05-05 12:00+00", "theft", 9999);

  const int64_t c1 = Card(piet, i1, area_a_, shop_a_, "collective_warning",
                          "2025-01-11 00:00+00");
  const int64_t c2 =
      Card(piet, i2, area_a_, shop_a_, "collective_ban", "2025-03-06 00:00+00");
  Card(jan, i3, area_a_, shop_a_, "collective_warning", "2025-03-07 00:00+00");
  Card(kees, i5, area_a_, shop_a_, "collective_warning",
       "2024-12-31 13:00+00");  // issued before the period
  Card(kees, i7, area_b_, shop_b_, "collective_ban", "2025-05-06 00:00+00");
  Objection(c1, "rejected");
  Objection(c2, "upheld");
  Objection(c2, "");
  (void)i4;

  const AreaFacts f = Facts(area_a_, Utc(2025, 1, 1), Utc(2026, 1, 1));
  EXPECT_EQ(f.incidents_by_type,
            (Counts{{"nuisance", 1}, {"theft", 2}, {"violence", 1}}));
  EXPECT_EQ(f.damage_cents, 1000 + 2500 + 0 + 100);
  EXPECT_EQ(f.incidents_by_month,
            (Counts{{"2025-01", 1}, {"2025-02", 1}, {"2025-03", 2}}));
  EXPECT_EQ(f.cards_by_kind,
            (Counts{{"collective_ban", 1}, {"collective_warning", 2}}));
  EXPECT_EQ(f.objections_by_outcome,
            (Counts{{"pending", 1}, {"rejected", 1}, {"upheld", 1}}));
  EXPECT_EQ(f.repeat_offenders, 1);  // Piet: two cards in the period

  const AreaFacts b = Facts(area_b_, Utc(2025, 1, 1), Utc(2026, 1, 1));
  EXPECT_EQ(b.incidents_by_type, (Counts{{"theft", 1}}));
  EXPECT_EQ(b.repeat_offenders, 0);

  // Within one month: no month starts to pass, one bucket.
  const AreaFacts march = Facts(area_a_, Utc(2025, 3, 1), Utc(2025, 3, 10));
  EXPECT_EQ(march.incidents_by_month, (Counts{{"2025-03", 2}}));

  const AreaFacts empty = Facts(area_a_, Utc(2023, 1, 1), Utc(2024, 1, 1));
  EXPECT_TRUE(empty.incidents_by_type.empty());
  EXPECT_EQ(empty.damage_cents, 0);
}

TEST_F(ReportFactsPgTest, SeveralAreasInOneStatementAsEachAlone) {
  const int64_t piet = Person();
  const int64_t i1 =
      Incident(area_a_, shop_a_, "2025-02-10 12:00+00", "theft", 700);
  Incident(area_a_, shop_a_, "2025-04-10 12:00+00", "violence", 0);
  const int64_t i3 =
      Incident(area_b_, shop_b_, "2025-04-11 12:00+00", "theft", 300);
  Card(piet, i1, area_a_, shop_a_, "collective_warning", "2025-02-11 00:00+00");
  Card(piet, i3, area_b_, shop_b_, "collective_warning", "2025-04-12 00:00+00");
  const int64_t empty_area =
      Id("INSERT INTO areas (name, kind, municipality) VALUES ('C', "
         "'shopping_area', 'Zwolle') RETURNING id");
  std::map<int64_t, AreaFacts> all;
  {
    pqxx::read_transaction tx(*conn_);
    all = PgRegistryStore::FactsOfAreas(tx, {area_a_, area_b_, empty_area},
                                        Utc(2025, 1, 1), Utc(2026, 1, 1));
  }
  ASSERT_EQ(all.size(), 3u);
  for (int64_t area : {area_a_, area_b_}) {
    const AreaFacts one = Facts(area, Utc(2025, 1, 1), Utc(2026, 1, 1));
    EXPECT_EQ(all[area].incidents_by_type, one.incidents_by_type);
    EXPECT_EQ(all[area].incidents_by_month, one.incidents_by_month);
    EXPECT_EQ(all[area].damage_cents, one.damage_cents);
    EXPECT_EQ(all[area].cards_by_kind, one.cards_by_kind);
    EXPECT_EQ(all[area].repeat_offenders, one.repeat_offenders);
  }
  EXPECT_EQ(all[area_a_].incidents_by_type,
            (Counts{{"theft", 1}, {"violence", 1}}));
  EXPECT_EQ(all[area_b_].damage_cents, 300);
  // Piet has a card in each area: a repeat offender in neither.
  EXPECT_EQ(all[area_a_].repeat_offenders, 0);
  EXPECT_TRUE(all[empty_area].incidents_by_type.empty());
}

TEST_F(ReportFactsPgTest, ThePlanUsesTheCoveringIndexWithoutStatistics) {
  // A fresh table, never analysed: the plan must not depend on luck.
  pqxx::read_transaction tx(*conn_);
  std::string plan;
  for (const auto& row :
       tx.exec(absl::StrCat("EXPLAIN SELECT offence_type, count(*), "
                            "sum(damage_cents) FROM incidents WHERE area_id = ",
                            area_a_,
                            " AND occurred_at >= '2025-01-01' AND occurred_at "
                            "< '2026-01-01' GROUP BY offence_type"))) {
    plan += row[0].as<std::string>() + "\n";
  }
  EXPECT_NE(plan.find("incidents_by_area_time"), std::string::npos) << plan;
}

// What PostgreSQL tells the connection: here auto_explain's plans, sent as
// notices.
class Notices final : public pqxx::errorhandler {
 public:
  explicit Notices(pqxx::connection_base& conn) : pqxx::errorhandler(conn) {}
  bool operator()(const char msg[]) noexcept override {
    text += msg;
    return true;
  }
  std::string text;
};

// What a plan in auto_explain's JSON did: the strategy of each aggregate
// over the incidents, whether it read them at all, whether any node wrote
// temporary blocks (spilled to disk).
struct PlanFacts {
  std::vector<std::string> incident_aggregates;
  bool reads_incidents = false;
  bool spilled = false;
};

using JsonFields = google::protobuf::Map<std::string, google::protobuf::Value>;

bool ReadsIncidents(const JsonFields& node) {
  if (auto it = node.find("Relation Name");
      it != node.end() && it->second.string_value() == "incidents") {
    return true;
  }
  auto plans = node.find("Plans");
  if (plans == node.end()) return false;
  for (const auto& child : plans->second.list_value().values()) {
    if (ReadsIncidents(child.struct_value().fields())) return true;
  }
  return false;
}

void Walk(const JsonFields& node, PlanFacts& out) {
  auto text = [&](const char* key) {
    auto it = node.find(key);
    return it == node.end() ? std::string() : it->second.string_value();
  };
  if (text("Relation Name") == "incidents") out.reads_incidents = true;
  if (text("Node Type") == "Aggregate" && ReadsIncidents(node)) {
    out.incident_aggregates.push_back(text("Strategy"));
  }
  if (auto it = node.find("Temp Written Blocks");
      it != node.end() && it->second.number_value() > 0) {
    out.spilled = true;
  }
  if (auto it = node.find("Plans"); it != node.end()) {
    for (const auto& child : it->second.list_value().values()) {
      Walk(child.struct_value().fields(), out);
    }
  }
}

// Issue 28: PostgreSQL plans a prepared statement's first five executions
// on a connection with the values at hand (custom plans). Grouped by
// width_bucket(occurred_at, ...) it counted one group per incident (about
// 43,000 for 50,000), sorted them and spilled to disk; grouped by the
// month list's ordinal (months joined by range) it counts at most areas x
// types x months. Every call on a fresh connection, the first to the
// generic plan's, hashes in memory; the counts are what SQL counts by
// Amsterdam month.
TEST_F(ReportFactsPgTest, TheFactsAggregateHashesInMemoryFromTheFirstCall) {
  {
    pqxx::work tx(*conn_);
    tx.exec0(absl::StrCat(
        "INSERT INTO incidents (area_id, shop_id, occurred_at, offence_type, "
        "damage_cents, has_police_report) SELECT ",
        area_a_, ", ", shop_a_,
        ", timestamptz '2021-01-01 00:00+01' + i * (interval '1826 days' / "
        "100000), (ARRAY['theft', 'violence', 'nuisance', 'vandalism', "
        "'threat', 'fraud'])[1 + i % 6], (i * 37) % 50000, i % 3 = 0 FROM "
        "generate_series(0, 99999) i"));
    tx.commit();
    pqxx::nontransaction(*conn_).exec0("VACUUM ANALYZE incidents");
  }
  const absl::TimeZone tz = absl::FixedTimeZone(3600);  // winter, Amsterdam
  const absl::Time from = absl::FromCivil(absl::CivilDay(2021, 1, 1), tz);
  const absl::Time to = absl::FromCivil(absl::CivilDay(2023, 7, 1), tz) -
                        absl::Hours(1);  // summer time
  Counts by_month, by_type;
  {
    pqxx::read_transaction tx(*conn_);
    const std::string where = absl::StrCat(
        " FROM incidents WHERE area_id = ", area_a_,
        " AND occurred_at >= '2021-01-01 00:00+01' AND occurred_at < "
        "'2023-07-01 00:00+02' GROUP BY 1");
    for (const auto& r :
         tx.exec("SELECT to_char(occurred_at AT TIME ZONE 'Europe/Amsterdam', "
                 "'YYYY-MM'), count(*)" +
                 where)) {
      by_month[r[0].as<std::string>()] = r[1].as<int64_t>();
    }
    for (const auto& r : tx.exec("SELECT offence_type, count(*)" + where)) {
      by_type[r[0].as<std::string>()] = r[1].as<int64_t>();
    }
  }
  ASSERT_EQ(by_month.size(), 30u);

  pqxx::connection fresh(conninfo());
  Notices notices(fresh);
  {
    pqxx::nontransaction nt(fresh);
    for (const char* set :
         {"LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0",
          "SET auto_explain.log_analyze = on",
          "SET auto_explain.log_buffers = on",
          "SET auto_explain.log_format = json",
          "SET auto_explain.log_level = notice"}) {
      nt.exec0(set);
    }
  }
  for (int call = 1; call <= 6; ++call) {
    notices.text.clear();
    AreaFacts f;
    {
      pqxx::read_transaction tx(fresh);
      f = PgRegistryStore::FactsOfArea(tx, area_a_, from, to);
    }
    const std::string& notice = notices.text;
    google::protobuf::Value explained;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                    notice.substr(std::min(notice.find('{'), notice.size())),
                    &explained)
                    .ok())
        << "call " << call << ": " << notice;
    PlanFacts plan;
    Walk(explained.struct_value().fields().at("Plan").struct_value().fields(),
         plan);
    EXPECT_TRUE(plan.reads_incidents) << "call " << call << ":\n" << notice;
    EXPECT_EQ(plan.incident_aggregates, std::vector<std::string>{"Hashed"})
        << "call " << call << ":\n"
        << notice;
    EXPECT_FALSE(plan.spilled) << "call " << call << ":\n" << notice;
    EXPECT_EQ(f.incidents_by_month, by_month) << "call " << call;
    EXPECT_EQ(f.incidents_by_type, by_type) << "call " << call;
  }
}

TEST_F(ReportFactsPgTest, DonationsOfOneAreaAndPeriodInCents) {
  // A claim of EUR 181 in area A booked in 2025, paid in two parts (one in
  // 2025, one in 2026), a refund of EUR 10 in 2025; one in area B.
  auto claim = [&](int64_t area, int64_t shop, const std::string& ref) {
    const int64_t incident =
        Incident(area, shop, "2025-02-01 12:00+00", "theft", 0);
    const int64_t case_id = Id(absl::StrCat(
        "INSERT INTO donation_cases (incident_id, area_id, shop_id) VALUES (",
        incident, ", ", area, ", ", shop, ") RETURNING id"));
    return Id(absl::StrCat(
        "INSERT INTO donation_claims (case_id, person_id, area_id, shop_id, "
        "payment_reference, state, amount_cents, admin_fee_cents, "
        "created_on, due_on) VALUES (",
        case_id, ", ", Person(), ", ", area, ", ", shop, ", '", ref,
        "', 'open', 18100, 4100, '2025-02-02', '2025-02-16') RETURNING id"));
  };
  auto book = [&](int64_t claim_id, const std::string& kind, int64_t cents,
                  const std::string& day) {
    Id(absl::StrCat(
        "INSERT INTO donation_ledger (claim_id, kind, "
        "amount_cents, booked_on) VALUES (",
        claim_id, ", '", kind, "', ", cents, ", '", day, "') RETURNING id"));
  };
  const int64_t a = claim(area_a_, shop_a_, "1000000000000001");
  book(a, "claimed", 18100, "2025-02-02");
  book(a, "paid", -10000, "2025-03-01");
  book(a, "fee", 4100, "2025-03-01");
  book(a, "shop_share", 5900, "2025-03-01");
  book(a, "refunded", 1000, "2025-12-31");
  book(a, "shop_share", -1000, "2025-12-31");
  book(a, "paid", -8100, "2026-01-01");  // the next period
  book(a, "shop_share", 8100, "2026-01-01");
  const int64_t b = claim(area_b_, shop_b_, "1000000000000002");
  book(b, "claimed", 18100, "2025-02-02");
  book(b, "paid", -18100, "2025-03-01");

  // Amsterdam days: 1 January 00:00 local to 1 January of the next year.
  auto year = [&](int y) {
    reports::DonationContribution contribution;
    reports::PeriodFacts facts;
    pqxx::read_transaction tx(*conn_);
    const absl::TimeZone tz = absl::FixedTimeZone(3600);
    EXPECT_TRUE(contribution
                    .AddPeriod(tx, area_a_,
                               absl::FromCivil(absl::CivilDay(y, 1, 1), tz),
                               absl::FromCivil(absl::CivilDay(y + 1, 1, 1), tz),
                               facts)
                    .ok());
    return facts.donations.value_or(
        reports::DonationFacts{-1, -1, -1, -1, -1, -1});
  };
  const reports::DonationFacts facts = year(2025);
  EXPECT_EQ(facts.claimed_cents, 18100);
  EXPECT_EQ(facts.paid_cents, 10000 - 1000);
  EXPECT_EQ(facts.shop_share_cents, 5900 - 1000);
  // The claims behind each sum (the report hides a sum of fewer than 5).
  EXPECT_EQ(facts.claims, 1);
  EXPECT_EQ(facts.paid_claims, 1);
  EXPECT_EQ(facts.shop_share_claims, 1);
  const reports::DonationFacts next = year(2026);
  EXPECT_EQ(next.claimed_cents, 0);
  EXPECT_EQ(next.paid_cents, 8100);
  EXPECT_EQ(next.shop_share_cents, 8100);
}

// Aangiftebereidheid from the registry: an incident counts as reported
// whether its police report number came with it or was recorded later
// (SetPoliceReport), which also replaces the sealed number on its link;
// another area's reported incident does not count.
TEST_F(ReportFactsPgTest, CountsIncidentsReportedWithThemOrLater) {
  const int64_t piet = Person();
  const int64_t later =
      Incident(area_a_, shop_a_, "2025-02-10 12:00+00", "theft", 1000);
  const int64_t never =
      Incident(area_a_, shop_a_, "2025-02-11 12:00+00", "theft", 1000);
  const int64_t at_once =
      Incident(area_a_, shop_a_, "2025-02-12 12:00+00", "violence", 0);
  const int64_t elsewhere =
      Incident(area_b_, shop_b_, "2025-02-12 12:00+00", "theft", 0);
  for (int64_t i : {later, never, at_once, elsewhere}) {
    Id(
        absl::StrCat("INSERT INTO incident_persons (incident_id, person_id, "
                     "sealed_description, sealed_report_number) VALUES (",
                     i, ", ", piet, ", 'd', '') RETURNING incident_id"));
  }
  for (int64_t i : {at_once, elsewhere}) {
    Id(absl::StrCat("UPDATE incidents SET has_police_report = true WHERE id = ",
                    i, " RETURNING id"));
  }
  const absl::Time from = Utc(2025, 1, 1), to = Utc(2026, 1, 1);
  EXPECT_EQ(Facts(area_a_, from, to).incidents_reported, 1);

  {
    pqxx::work tx(*conn_);
    PgRegistryStore::SetPoliceReport(tx, later, std::string("sealed\x01", 7));
    tx.commit();
  }
  const AreaFacts f = Facts(area_a_, from, to);
  EXPECT_EQ(f.incidents_reported, 2);
  EXPECT_EQ(f.incidents_by_type, (Counts{{"theft", 2}, {"violence", 1}}));
  EXPECT_EQ(Facts(area_b_, from, to).incidents_reported, 1);
  pqxx::read_transaction tx(*conn_);
  const auto row = PgRegistryStore::IncidentById(tx, later);
  ASSERT_TRUE(row.has_value());
  EXPECT_TRUE(row->has_police_report);
  EXPECT_EQ(row->sealed_report_number, std::string("sealed\x01", 7));
  EXPECT_FALSE(PgRegistryStore::IncidentById(tx, never)->has_police_report);
}

}  // namespace
}  // namespace kvo::registry
