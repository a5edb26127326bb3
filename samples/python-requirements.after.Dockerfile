FROM python:3.12 AS builder
# Install into a virtual environment so the runtime stage can copy it whole.
RUN python -m venv /opt/venv
ENV VIRTUAL_ENV=/opt/venv
ENV PATH=/opt/venv/bin:$PATH

RUN apt-get update && apt-get install -y gcc libpq-dev

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
# pip itself is not needed at run time.
RUN /opt/venv/bin/python -m pip uninstall --yes --quiet pip
COPY . .

ENV PYTHONUNBUFFERED=1

# Runtime: the same Python without compilers; the virtual environment and the app.
FROM python:3.12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
ENV VIRTUAL_ENV=/opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
USER 65534:65534
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:wsgi"]
