package io.tinstream.training.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.Retrieval;
import io.tinstream.models.UserHeadCache;
import org.junit.jupiter.api.Test;

class MatchingEvaluatorTest {

  @Test
  void retrievalRanksByTheAdsOwnCategoryHeadAndSkipsExcluded() {
    // Two heads of d = 2: head 0 prefers axis x, head 1 axis y.
    UserHeadCache user = new UserHeadCache(3, 10, 2, new float[] {1, 0, 0, 1});
    float[] ads = {5, 0, 0, 5, 0, 1, 1, 0}; // four ads
    int[] slots = {0, 0, 1, 1};
    float[] s = Retrieval.scores(user, ads, slots);
    assertThat(s).containsExactly(5f, 0f, 1f, 0f);
    assertThat(Retrieval.topN(user, ads, slots, null, 2)).containsExactly(0, 2);
    assertThat(Retrieval.topN(user, ads, slots, new boolean[] {true, false, false, false}, 2))
        .containsExactly(2, 1);
    assertThat(Retrieval.rankOf(s, null, 2)).isEqualTo(1);
    // Ties count against the target: a constant model never looks good.
    assertThat(Retrieval.rankOf(new float[] {1, 1, 1}, null, 0)).isEqualTo(2);
  }
}
