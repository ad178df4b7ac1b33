package io.tinstream.models;

import io.tinstream.models.internal.FeedEncoder;
import io.tinstream.models.internal.GraphInputs;
import io.tinstream.models.internal.ModelParamsIO;
import io.tinstream.models.layers.Head;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Writes what {@link SavedModelScorer} loads: a SavedModel (tag {@code serve}, signature {@code
 * serving_default} from every feed but the label to {@code score}), the params beside it and, for a
 * collisionless model, its id -> row mapping (the rows the SavedModel's tables are indexed by).
 */
final class SavedModelExport {
  private SavedModelExport() {}

  static void write(
      Path dir,
      Session session,
      GraphInputs inputs,
      Operand<TFloat32> score,
      ModelParams params,
      long version,
      byte[] idRows)
      throws IOException {
    Signature.Builder sig =
        Signature.builder().key(Signature.DEFAULT_KEY).methodName("tensorflow/serving/predict");
    for (Map.Entry<String, Placeholder<?>> e : inputs.all().entrySet()) {
      if (!e.getKey().equals(FeedEncoder.LABEL)) {
        sig.input(e.getKey(), e.getValue());
      }
    }
    sig.output(Head.SCORE, score);
    SavedModelBundle.exporter(dir.toString())
        .withTags(SavedModelBundle.DEFAULT_TAG)
        .withSession(session)
        .withSignature(sig.build())
        .export();
    try (Writer w = Files.newBufferedWriter(dir.resolve(SavedModelScorer.PARAMS_FILE))) {
      ModelParamsIO.toProperties(params, version).store(w, "tinstream model params");
    }
    if (idRows != null) {
      Files.write(dir.resolve(SavedModelScorer.ID_ROWS_FILE), idRows);
    }
  }
}
