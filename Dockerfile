# dockerslim-refactor as a container image, for CI jobs that lint Dockerfiles without
# setting up Python:
#   docker run --rm -i IMAGE - < Dockerfile                          # print the rewrite
#   docker run --rm -v "$PWD":/src -w /src IMAGE --check .           # fail if one needs it
#   docker run --rm -v "$PWD":/src -w /src IMAGE analyze --format github .

# Builder: wheels for the tool and its dependencies, installed into a virtual
# environment without pip, so that only the installed packages reach the runtime.
FROM python:3.11 AS builder
WORKDIR /build
COPY pyproject.toml README.md ./
COPY refactor ./refactor
COPY templates ./templates
RUN pip wheel --no-cache-dir --wheel-dir /wheels .
RUN python3 -m venv --without-pip /opt/dockerslim-refactor
RUN pip --python /opt/dockerslim-refactor/bin/python install --no-cache-dir --no-index \
      --find-links /wheels dockerslim-refactor

# Runtime: the same Python's slim image (the virtual environment links its python3), the
# installed packages, and an unprivileged user. Mount the files to check at /src.
FROM python:3.11-slim
COPY --from=builder /opt/dockerslim-refactor /opt/dockerslim-refactor
ENV PATH=/opt/dockerslim-refactor/bin:$PATH
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["dockerslim-refactor"]
CMD ["--help"]
