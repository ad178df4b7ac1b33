package io.tinstream.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovieLensDatasetTest {

  @Test
  void loadsTheSharedDatasetCompletely() {
    MovieLensDataset data = MovieLensDataset.load(MovieLensTestData.directory());

    assertThat(data.ratings()).hasSize(100_836);
    assertThat(data.tags()).hasSize(3_683);
    assertThat(data.ratings().stream().mapToInt(MovieLensDataset.Rating::userId).distinct())
        .hasSize(610);
    List<BehaviorEvent> events = data.behaviorEvents();
    assertThat(events).hasSize(100_836 + 3_683);
    assertThat(events).isSortedAccordingTo(java.util.Comparator.comparing(e -> e.getEventTime()));
    assertThat(events.stream().map(BehaviorEvent::getEventId).distinct()).hasSize(events.size());
  }

  @Test
  void categoriesFormATreeDerivedFromGenres(@TempDir Path dir) throws Exception {
    write(
        dir,
        "movieId,title,genres\n"
            + "1,\"Toy Story, The (1995)\",Adventure|Animation\n"
            + "2,Heat (1995),Action|Crime\n"
            + "3,Up (2009),Adventure|Animation\n",
        "userId,movieId,rating,timestamp\n1,1,4.0,100\n1,2,3.5,50\n",
        "userId,movieId,tag,timestamp\n1,2,tense,70\n");
    MovieLensDataset data = MovieLensDataset.load(dir);

    assertThat(data.movies().get(1).title()).isEqualTo("Toy Story, The (1995)");
    // L1: sorted distinct first genres [Action, Adventure]; L2: sorted genre sets.
    assertThat(data.categoryL1(2)).isEqualTo(0);
    assertThat(data.categoryL1(1)).isEqualTo(1);
    assertThat(data.categoryL2(1)).isEqualTo(data.categoryL2(3));
    assertThat(data.categoryL3(1)).isNotEqualTo(data.categoryL3(3));
    assertThat(data.categoryL3(1) / MovieLensDataset.L3_BUCKETS_PER_GENRE_SET)
        .isEqualTo(data.categoryL2(1));
    assertThat(data.categoryL1(99)).isEqualTo(-1);

    List<BehaviorEvent> events = data.behaviorEvents();
    assertThat(events)
        .extracting(e -> e.getEventTime().toEpochMilli())
        .containsExactly(50_000L, 70_000L, 100_000L);
    assertThat(events.get(1).getActionType()).isEqualTo(ActionType.COMMENT);
    assertThat(events.get(2).getActionDetail()).isEqualTo(4.0);
    assertThat(events.get(2).getItem().getCategoryL3()).isEqualTo(data.categoryL3(1));
  }

  @Test
  void missingDirectoryAndBadRowsGetClearErrors(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> MovieLensDataset.load(dir.resolve("nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MovieLens directory not found");
    assertThatThrownBy(() -> MovieLensDataset.load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("movies.csv");
    write(
        dir,
        "movieId,title,genres\n1,A,Drama\n",
        "userId,movieId,rating,timestamp\n1,1,x,5\n",
        null);
    assertThatThrownBy(() -> MovieLensDataset.load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ratings.csv line 2")
        .hasMessageContaining("rating");
  }

  private static void write(Path dir, String movies, String ratings, String tags) throws Exception {
    Files.writeString(dir.resolve("movies.csv"), movies);
    Files.writeString(dir.resolve("ratings.csv"), ratings);
    if (tags != null) {
      Files.writeString(dir.resolve("tags.csv"), tags);
    }
  }
}
