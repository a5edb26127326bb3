# A build on the slim image that cleans apt's lists but not pip's download cache: the
# wheels pip fetched stay in the layer, which a builder stage keeps out of the image.
FROM python:3.11-slim

WORKDIR /app
COPY requirements.txt .
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && pip install -r requirements.txt \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY . .

CMD ["python", "app.py"]
