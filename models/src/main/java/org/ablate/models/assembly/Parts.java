package org.ablate.models.assembly;

import org.ablate.api.Attention;
import org.ablate.api.AttentionProvider;
import org.ablate.api.AttentionSpec;
import org.ablate.api.FeedForward;
import org.ablate.api.FeedForwardProvider;
import org.ablate.api.Norm;
import org.ablate.api.NormProvider;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PartFactory;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalEncodingProvider;
import org.ablate.api.PositionalSpec;
import org.ablate.models.config.ModelConfig;

/**
 * Makes the model's parts from the providers the config chose; {@link ModelModule} supplies one provider and
 * its validated parameters per part. Blocks and heads see it as the SPI's {@link PartFactory}.
 */
public final class Parts implements PartFactory {
    private final ModelConfig config;
    private final NormProvider norm;
    private final Params normParams;
    private final AttentionProvider attention;
    private final Params attentionParams;
    private final PositionalEncodingProvider positional;
    private final Params positionalParams;
    private final FeedForwardProvider feedForward;
    private final Params feedForwardParams;

    public Parts(ModelConfig config,
                 NormProvider norm, Params normParams,
                 AttentionProvider attention, Params attentionParams,
                 PositionalEncodingProvider positional, Params positionalParams,
                 FeedForwardProvider feedForward, Params feedForwardParams) {
        this.config = config;
        this.norm = norm;
        this.normParams = normParams;
        this.attention = attention;
        this.attentionParams = attentionParams;
        this.positional = positional;
        this.positionalParams = positionalParams;
        this.feedForward = feedForward;
        this.feedForwardParams = feedForwardParams;
    }

    @Override public int dModel() { return config.dModel(); }

    @Override public Norm norm(ParameterScope scope) { return norm.create(config.dModel(), normParams, scope); }

    public PositionalEncoding positional(ParameterScope scope) {
        return positional.create(new PositionalSpec(config.dModel(), config.heads(), config.headDim(), config.maxPositions()),
                positionalParams, scope);
    }

    @Override public Attention attention(ParameterScope scope, boolean cross, PositionalEncoding pe) {
        AttentionSpec spec = new AttentionSpec(config.dModel(), config.heads(), config.kvHeads(), config.bias(),
                config.dropout(), cross, pe);
        return attention.create(spec, attentionParams, scope);
    }

    @Override public FeedForward feedForward(ParameterScope scope) {
        return feedForward.create(config.dModel(), config.dFf(), config.bias(), config.dropout(), feedForwardParams, scope);
    }
}
