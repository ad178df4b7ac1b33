package io.tinstream.app.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.training.data.MovieLensDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoFeedTest {

  @Test
  void movieLensRatingsBecomeAClickedAndAnUnclickedImpression(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("movies.csv"),
        "movieId,title,genres\n1,A (1995),Drama\n2,B (1995),Comedy\n3,C (1995),Action\n");
    Files.writeString(
        dir.resolve("ratings.csv"),
        "userId,movieId,rating,timestamp\n7,1,4.0,1000\n7,2,3.0,5000\n");
    DemoFeed feed = DemoFeed.movieLens(MovieLensDataset.load(dir));
    List<BehaviorEvent> events = new ArrayList<>();
    feed.events().forEachRemaining(events::add);

    assertThat(events).hasSize(2 * 4);
    assertThat(events).isSortedAccordingTo((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
    Map<String, List<BehaviorEvent>> byRequest =
        events.stream()
            .filter(e -> e.getDomain() == Domain.AD)
            .collect(Collectors.groupingBy(BehaviorEvent::getRequestId));
    assertThat(byRequest).hasSize(2);
    for (List<BehaviorEvent> request : byRequest.values()) {
      List<BehaviorEvent> impressions =
          request.stream().filter(e -> e.getActionType() == ActionType.IMPRESSION).toList();
      List<BehaviorEvent> clicks =
          request.stream().filter(e -> e.getActionType() == ActionType.CLICK).toList();
      assertThat(impressions).hasSize(2);
      assertThat(clicks).singleElement();
      BehaviorEvent clicked = impressions.get(0);
      assertThat(clicks.get(0).getItem().getItemId()).isEqualTo(clicked.getItem().getItemId());
      assertThat(clicks.get(0).getEventTime()).isAfter(clicked.getEventTime());
    }
  }
}
