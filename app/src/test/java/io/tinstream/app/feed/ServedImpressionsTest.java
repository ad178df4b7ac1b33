package io.tinstream.app.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.ItemFields;
import io.tinstream.training.data.MovieLensDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServedImpressionsTest {

  @Test
  void aShareOfImpressionsIsAskedForOnceBeforeItIsShownAndVariantsTakeTurns() {
    DemoFeed feed = DemoFeed.synthetic(50, 100_000, 3);
    ServedImpressions served =
        new ServedImpressions(0.1, List.of("tin", "pool"), feed::candidatesOf);
    int impressions = 0;
    Map<String, AdRequest> asked = new HashMap<>();
    Map<String, Integer> byVariant = new HashMap<>();
    while (feed.events().hasNext()) {
      BehaviorEvent e = feed.events().next();
      var request = served.requestBefore(e);
      if (e.getActionType() != ActionType.IMPRESSION) {
        assertThat(request).as("only impressions are asked for").isEmpty();
        continue;
      }
      impressions++;
      if (request.isPresent()) {
        AdRequest r = request.get();
        assertThat(asked.put(r.getRequestId().toString(), r)).as("asked once").isNull();
        assertThat(r.getRequestId()).isEqualTo(e.getRequestId());
        assertThat(r.getUserId()).isEqualTo(e.getUserId());
        assertThat(r.getRequestTime()).isEqualTo(e.getEventTime());
        assertThat(r.getScenario()).isEqualTo(e.getScenario());
        assertThat(r.getCandidates())
            .extracting(ItemFields::getItemId)
            .containsExactly(e.getItem().getItemId());
        byVariant.merge(r.getModelVariant().toString(), 1, Integer::sum);
      }
    }
    assertThat(asked.size() / (double) impressions).isBetween(0.08, 0.12);
    assertThat(Math.abs(byVariant.get("tin") - byVariant.get("pool"))).isLessThanOrEqualTo(1);
  }

  @Test
  void aMovieLensRequestIsAskedForWithEveryAdItShows(@TempDir Path dir) throws Exception {
    DemoFeed feed = DemoFeed.movieLens(MovieLensDataset.load(TinyMovieLens.writeTo(dir)));
    ServedImpressions served = new ServedImpressions(1.0, List.of(), feed::candidatesOf);
    Map<String, Set<Long>> shown = new HashMap<>();
    List<AdRequest> asked = new ArrayList<>();
    while (feed.events().hasNext()) {
      BehaviorEvent e = feed.events().next();
      served.requestBefore(e).ifPresent(asked::add);
      if (e.getActionType() == ActionType.IMPRESSION) {
        assertThat(asked)
            .as("the request is asked for before its first ad is shown")
            .anyMatch(r -> r.getRequestId().equals(e.getRequestId()));
        shown
            .computeIfAbsent(e.getRequestId().toString(), k -> new HashSet<>())
            .add(e.getItem().getItemId());
      }
    }
    assertThat(asked).hasSize(shown.size());
    for (AdRequest r : asked) {
      assertThat(r.getModelVariant()).isNull();
      assertThat(r.getCandidates())
          .extracting(ItemFields::getItemId)
          .containsExactlyInAnyOrderElementsOf(shown.get(r.getRequestId().toString()));
    }
    assertThat(asked).anyMatch(r -> r.getCandidates().size() == 2);
  }
}
