FROM python:3.11-bookworm AS builder
# Install into a virtual environment so the runtime stage can copy it whole.
RUN python -m venv /opt/venv
ENV VIRTUAL_ENV=/opt/venv
ENV PATH=/opt/venv/bin:$PATH

RUN apt-get update \
    # compilers for the C extensions in requirements.txt
    && apt-get install -y --no-install-recommends build-essential libffi-dev \
    # keep the layer small
    && rm -rf /var/lib/apt/lists/*

WORKDIR /srv
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
# pip itself is not needed at run time.
RUN /opt/venv/bin/python -m pip uninstall --yes --quiet pip
COPY worker.py ./

# Runtime: the same Python without compilers; the virtual environment and the app.
FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends libffi8 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /srv
ENV VIRTUAL_ENV=/opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /srv /srv
USER 65534:65534
# run as a plain process
CMD ["python", "worker.py"]
