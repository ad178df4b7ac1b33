package io.tinstream.training.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.training.metrics.Metrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class SyntheticFeedTest {

  private static List<BehaviorEvent> generate(long seed) {
    SyntheticFeed feed =
        new SyntheticFeed(
            SyntheticFeed.Config.defaults(50, 5_000, seed), SyntheticFeed.defaultTaxonomy());
    List<BehaviorEvent> events = new ArrayList<>();
    feed.forEachRemaining(events::add);
    return events;
  }

  @Test
  void sameSeedSameStreamOtherSeedOtherStream() {
    assertThat(generate(7)).isEqualTo(generate(7));
    assertThat(generate(7)).isNotEqualTo(generate(8));
    assertThat(generate(7)).hasSize(5_000);
  }

  /** Impressions of a default feed, each with what the stream before it shows about it. */
  private record Seen(
      boolean clicked,
      double trueProbability,
      boolean inCurrentInterest,
      boolean strongActionOnItemBefore,
      long minutesSinceCategory,
      int scenario) {}

  private static List<Seen> impressions(int users, long events) {
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    SyntheticFeed feed =
        new SyntheticFeed(SyntheticFeed.Config.defaults(users, events, 3), taxonomy);
    Map<String, Double> truth = new HashMap<>();
    Map<String, Boolean> interest = new HashMap<>();
    feed.onImpression(
        (impression, p, clicked) -> {
          truth.put(impression.getRequestId(), p);
          int l2 = taxonomy.categoryL2(impression.getItem().getItemId());
          interest.put(
              impression.getRequestId(), feed.inInterest((int) impression.getUserId(), l2));
        });
    Map<Long, Set<Long>> strongItems = new HashMap<>();
    Map<Long, Map<Integer, Long>> lastInCategory = new HashMap<>();
    Map<String, BehaviorEvent> open = new LinkedHashMap<>();
    Set<String> clickedRequests = new HashSet<>();
    Map<String, Boolean> liked = new HashMap<>();
    Map<String, Long> minutesSince = new HashMap<>();
    while (feed.hasNext()) {
      BehaviorEvent e = feed.next();
      long user = e.getUserId();
      long item = e.getItem().getItemId();
      int l2 = taxonomy.categoryL2(item);
      switch (e.getActionType()) {
        case IMPRESSION -> open.put(e.getRequestId(), e);
        case CLICK -> {
          BehaviorEvent impression = open.get(e.getRequestId());
          assertThat(impression).as("click without impression").isNotNull();
          assertThat(impression.getItem().getItemId()).isEqualTo(item);
          assertThat(e.getEventTime()).isAfter(impression.getEventTime());
          clickedRequests.add(e.getRequestId());
        }
        default -> {
          if (e.getActionType() == ActionType.LIKE
              || e.getActionType() == ActionType.SHARE
              || e.getActionType() == ActionType.COMMENT) {
            strongItems.computeIfAbsent(user, u -> new HashSet<>()).add(item);
          }
          lastInCategory
              .computeIfAbsent(user, u -> new HashMap<>())
              .put(l2, e.getEventTime().toEpochMilli());
        }
      }
      if (e.getActionType() == ActionType.IMPRESSION) {
        // What the behaviors before this impression say about it.
        Long last = lastInCategory.getOrDefault(user, Map.of()).get(l2);
        liked.put(e.getRequestId(), strongItems.getOrDefault(user, Set.of()).contains(item));
        minutesSince.put(
            e.getRequestId(),
            last == null ? Long.MAX_VALUE : (e.getEventTime().toEpochMilli() - last) / 60_000);
      }
    }
    List<Seen> seen = new ArrayList<>();
    for (BehaviorEvent impression : open.values()) {
      String id = impression.getRequestId();
      seen.add(
          new Seen(
              clickedRequests.contains(id),
              truth.get(id),
              interest.get(id),
              liked.get(id),
              minutesSince.get(id),
              impression.getScenario()));
    }
    return seen;
  }

  private static double ctr(List<Seen> impressions, Predicate<Seen> which) {
    List<Seen> chosen = impressions.stream().filter(which).toList();
    assertThat(chosen).as("impressions to compare").hasSizeGreaterThan(200);
    return chosen.stream().filter(Seen::clicked).count() / (double) chosen.size();
  }

  private static double auc(List<Seen> impressions, ToDoubleFunction<Seen> score) {
    float[] s = new float[impressions.size()];
    float[] l = new float[impressions.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) score.applyAsDouble(impressions.get(i));
      l[i] = impressions.get(i).clicked() ? 1 : 0;
    }
    return Metrics.auc(s, l);
  }

  @Test
  void clicksDependOnItemAffinityRecencyAndScenarioBesidesTheCategory() {
    List<Seen> impressions = impressions(200, 200_000);
    // Item-level affinity: inside current interests, a liked/shared/commented item is clicked far
    // more often than another item of the same categories.
    assertThat(ctr(impressions, s -> s.inCurrentInterest() && s.strongActionOnItemBefore()))
        .isGreaterThan(
            2 * ctr(impressions, s -> s.inCurrentInterest() && !s.strongActionOnItemBefore()));
    // Recency: a category touched in the last 10 minutes beats one last touched over an hour ago.
    assertThat(
            ctr(impressions, s -> s.minutesSinceCategory() < 10 && !s.strongActionOnItemBefore()))
        .isGreaterThan(
            2
                * ctr(
                    impressions,
                    s ->
                        s.minutesSinceCategory() > 60
                            && s.minutesSinceCategory() != Long.MAX_VALUE
                            && !s.strongActionOnItemBefore()));
    // Scenario: each has its own base rate.
    assertThat(ctr(impressions, s -> s.scenario() == 1))
        .isGreaterThan(1.3 * ctr(impressions, s -> s.scenario() == 3));
  }

  @Test
  void theTrueProbabilitiesRankClicksFarBetterThanTheCurrentCategoryAlone() {
    List<Seen> impressions = impressions(200, 200_000);
    double ceiling = auc(impressions, Seen::trueProbability);
    double categoryOnly = auc(impressions, s -> s.inCurrentInterest() ? 1 : 0);

    // The ceiling is what a perfect model reaches; a model that only matches the ad's category with
    // the current interests (what hard search alone hands any model) stays well below it.
    assertThat(ceiling).isBetween(0.75, 0.95);
    assertThat(categoryOnly).isLessThan(ceiling - 0.05);
  }

  @Test
  void taxonomyAgreesWithTheItems() {
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    for (long item = 0; item < taxonomy.items(); item += 97) {
      assertThat(taxonomy.categoryL2(taxonomy.itemInCategoryL2(taxonomy.categoryL2(item), 0.3)))
          .isEqualTo(taxonomy.categoryL2(item));
    }
    var entries = taxonomy.entries();
    assertThat(entries)
        .filteredOn(e -> e.getKind() == TaxonomyKind.L3_PARENT && e.getChild() == 17)
        .singleElement()
        .satisfies(e -> assertThat(e.getParent()).isEqualTo(taxonomy.categoryL2(17)));
    assertThat(entries)
        .filteredOn(e -> e.getKind() == TaxonomyKind.ITEM_PRODUCT)
        .hasSize(taxonomy.items());
  }
}
