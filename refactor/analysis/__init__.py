"""What a Dockerfile builds and what its image needs: the final stage's facts, the ecosystem
detectors, the benefit of a rewrite. Running the rules over it is :mod:`..findings`; this
package's own import costs nothing, so a module that needs one model type loads only that."""
