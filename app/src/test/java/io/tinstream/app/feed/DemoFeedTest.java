package io.tinstream.app.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.training.data.MovieLensDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoFeedTest {

  @Test
  void movieLensRatingsAreForetoldByAClickedAndAnUnclickedImpression(@TempDir Path dir)
      throws Exception {
    DemoFeed feed = DemoFeed.movieLens(MovieLensDataset.load(TinyMovieLens.writeTo(dir)));
    List<BehaviorEvent> events = new ArrayList<>();
    feed.events().forEachRemaining(events::add);

    // user 5's rating is the data's first: nothing earlier to draw a negative from
    assertThat(events).hasSize(3 + 3 * 2 + 2);
    assertThat(events).isSortedAccordingTo((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
    Map<String, List<BehaviorEvent>> byRequest =
        events.stream()
            .filter(e -> e.getDomain() == Domain.AD)
            .collect(Collectors.groupingBy(BehaviorEvent::getRequestId));
    assertThat(byRequest).hasSize(3);
    for (List<BehaviorEvent> request : byRequest.values()) {
      List<BehaviorEvent> impressions =
          request.stream().filter(e -> e.getActionType() == ActionType.IMPRESSION).toList();
      List<BehaviorEvent> clicks =
          request.stream().filter(e -> e.getActionType() == ActionType.CLICK).toList();
      assertThat(clicks).singleElement();
      BehaviorEvent clicked = impressions.get(0);
      assertThat(clicks.get(0).getItem().getItemId()).isEqualTo(clicked.getItem().getItemId());
      assertThat(clicks.get(0).getEventTime()).isAfter(clicked.getEventTime());
      if (clicked.getUserId() == 7) {
        // user 7's negatives: movie 3, the only one rated before and not by user 7
        assertThat(impressions).hasSize(2);
        assertThat(impressions.get(1).getItem().getItemId()).isEqualTo(3);
      } else {
        assertThat(impressions).hasSize(1);
      }
    }
  }

  /**
   * The replay must not leak its labels: at a clicked impression, the user's latest behavior so far
   * (in replay order) is not of the clicked movie and no rating, click or tag before it is, the
   * rating of that movie follows the click, and the negative shown beside it was rated by someone
   * before the rating and not by the user. (An earlier unclicked impression of the movie, as a
   * negative, may be in the history: it does not tell the label.)
   */
  @Test
  void clickedImpressionsPrecedeTheRatingTheyPredict() {
    MovieLensDataset data =
        MovieLensDataset.load(Path.of(System.getProperty("tinstream.movielens.dir")));
    List<BehaviorEvent> events = new ArrayList<>();
    DemoFeed.movieLens(data).events().forEachRemaining(events::add);
    Map<Integer, Long> firstRated = new HashMap<>();
    for (MovieLensDataset.Rating r : data.ratings()) {
      firstRated.merge(r.movieId(), r.timestampMillis(), Math::min);
    }
    Map<Long, Set<Long>> engaged = new HashMap<>(); // user -> items rated, clicked, tagged so far
    Map<Long, Long> latest = new HashMap<>(); // user -> item of the latest behavior
    Map<Long, Set<Long>> rated = new HashMap<>(); // user -> movies rated so far
    Map<String, Long> clickedOf = new HashMap<>(); // request -> clicked movie
    Map<Long, Set<Long>> pendingRatings = new HashMap<>(); // user -> clicked, not yet rated
    int clickedImpressions = 0;
    int negatives = 0;
    for (BehaviorEvent e : events) {
      long user = e.getUserId();
      long item = e.getItem().getItemId();
      Set<Long> mine = engaged.computeIfAbsent(user, u -> new HashSet<>());
      if (e.getActionType() == ActionType.CLICK) {
        clickedOf.put(e.getRequestId(), item);
      }
      if (e.getActionType() == ActionType.IMPRESSION && e.getEventId().endsWith("-i1")) {
        clickedImpressions++;
        assertThat(mine)
            .as("user %d's ratings, clicks, tags before the impression of %d", user, item)
            .doesNotContain(item);
        assertThat(Long.valueOf(item).equals(latest.get(user)))
            .as("user %d's latest behavior is the clicked %d", user, item)
            .isFalse();
        pendingRatings.computeIfAbsent(user, u -> new HashSet<>()).add(item);
      }
      if (e.getActionType() == ActionType.IMPRESSION && e.getEventId().endsWith("-i2")) {
        negatives++;
        long ratedAt = e.getEventTime().toEpochMilli() + DemoFeed.IMPRESSION_LEAD_MILLIS;
        assertThat(firstRated.get((int) item)).isLessThan(ratedAt);
        assertThat(rated.getOrDefault(user, Set.of())).doesNotContain(item);
      }
      if (e.getActionType() == ActionType.RATE) {
        assertThat(pendingRatings.get(user)).as("rating of %d was foretold", item).contains(item);
        pendingRatings.get(user).remove(item);
        rated.computeIfAbsent(user, u -> new HashSet<>()).add(item);
      }
      if (e.getActionType() != ActionType.IMPRESSION) {
        mine.add(item);
      }
      latest.put(user, item);
    }
    assertThat(clickedImpressions).isEqualTo(data.ratings().size());
    assertThat(negatives).isGreaterThan(clickedImpressions * 99 / 100);
    assertThat(pendingRatings.values()).allMatch(Set::isEmpty);
  }
}
