package io.tinstream.models;

import io.tinstream.models.layers.DareLayer;
import io.tinstream.models.layers.DecoupledPeLayer;
import io.tinstream.models.layers.DinLayer;
import io.tinstream.models.layers.DsiTinLayer;
import io.tinstream.models.layers.InterestLayer;
import io.tinstream.models.layers.LreaLayer;
import io.tinstream.models.layers.MeanPoolLayer;
import io.tinstream.models.layers.SasRecLayer;
import io.tinstream.models.layers.SearchedLayer;
import io.tinstream.models.layers.StackedTinLayer;
import io.tinstream.models.layers.TinLayer;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Model variants by name: {@code pool}, {@code din}, {@code tin}; later variants register here. */
public final class ModelRegistry {
  private static final Map<String, Supplier<InterestLayer>> LAYERS = new ConcurrentHashMap<>();

  static {
    register("pool", MeanPoolLayer::new);
    register("din", DinLayer::new);
    register("tin", TinLayer::new);
    registerTinFamily();
    register("lrea", LreaLayer::new);
    // DIN over the same long L as lrea (run with a long --max-len): LREA's accuracy reference.
    register("din-long", DinLayer::new);
  }

  private ModelRegistry() {}

  /** Search pipelines, DARE/TWIN, DSI, TdPE/dPE, STIN and the two-tower SASRec variants. */
  private static void registerTinFamily() {
    register("sim", () -> new SearchedLayer(new TinLayer(), InterestLayer.History.SIM_SEARCH));
    register(
        "tin-hard-search",
        () -> new SearchedLayer(new TinLayer(), InterestLayer.History.HIERARCHICAL_SEARCH));
    register("twin", () -> new DareLayer(true, 1));
    register("dare", () -> new DareLayer(false, 1));
    register("dare-half", () -> new DareLayer(false, 2));
    register("dsi_sum", () -> new DsiTinLayer(false));
    register("dsi_concat", () -> new DsiTinLayer(true));
    register("tdpe", () -> new DecoupledPeLayer(false));
    register("dpe", () -> new DecoupledPeLayer(true));
    for (int depth = 1; depth <= StackedTinLayer.MAX_DEPTH; depth++) {
      int k = depth;
      register("stin-" + k, () -> new StackedTinLayer(k));
    }
    register("td-sasrec", () -> new SasRecLayer(true, InterestLayer.History.STRATIFIED));
    register("sasrec", () -> new SasRecLayer(false, InterestLayer.History.STRATIFIED));
    register("sasrec-latest", () -> new SasRecLayer(false, InterestLayer.History.LATEST));
  }

  public static void register(String name, Supplier<InterestLayer> layer) {
    LAYERS.put(name, layer);
  }

  public static Set<String> names() {
    return new TreeSet<>(LAYERS.keySet());
  }

  public static InterestLayer layer(String name) {
    Supplier<InterestLayer> s = LAYERS.get(name);
    if (s == null) {
      throw new IllegalArgumentException("unknown model '" + name + "'; known: " + names());
    }
    return s.get();
  }

  /** Builds and initializes a trainable model for {@code params.variant()}. */
  public static CtrModel build(ModelParams params) {
    InterestLayer layer = layer(params.variant());
    TfCtrModel model = new TfCtrModel(params, layer);
    // LREA scores through its absorbed (inference) path; see LreaModel.
    return layer instanceof LreaLayer lrea ? new LreaModel(model, lrea) : model;
  }
}
