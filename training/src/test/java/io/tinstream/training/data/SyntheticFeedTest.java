package io.tinstream.training.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.TaxonomyKind;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void clicksFollowTheirImpressionAndFavourPlantedInterests() {
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    SyntheticFeed feed = new SyntheticFeed(SyntheticFeed.Config.defaults(100, 50_000, 3), taxonomy);
    int[] impressions = new int[2];
    int[] clicks = new int[2];
    java.util.Map<String, BehaviorEvent> openImpressions = new java.util.HashMap<>();
    while (feed.hasNext()) {
      BehaviorEvent e = feed.next();
      int user = (int) e.getUserId();
      int l2 = taxonomy.categoryL2(e.getItem().getItemId());
      if (e.getActionType() == ActionType.IMPRESSION) {
        impressions[feed.inInterest(user, l2) ? 1 : 0]++;
        openImpressions.put(e.getRequestId(), e);
      } else if (e.getActionType() == ActionType.CLICK) {
        BehaviorEvent impression = openImpressions.get(e.getRequestId());
        assertThat(impression).as("click without impression").isNotNull();
        assertThat(impression.getItem().getItemId()).isEqualTo(e.getItem().getItemId());
        assertThat(e.getEventTime()).isAfter(impression.getEventTime());
        clicks[feed.inInterest(user, l2) ? 1 : 0]++;
      }
    }
    double ctrInside = clicks[1] / (double) impressions[1];
    double ctrOutside = clicks[0] / (double) impressions[0];
    assertThat(ctrInside).isGreaterThan(0.2);
    assertThat(ctrOutside).isLessThan(0.1);
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
