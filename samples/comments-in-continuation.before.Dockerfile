FROM python:3.11-bookworm

RUN apt-get update \
    # compilers for the C extensions in requirements.txt
    && apt-get install -y --no-install-recommends build-essential libffi-dev \
    # keep the layer small
    && rm -rf /var/lib/apt/lists/*

WORKDIR /srv
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY worker.py ./

# run as a plain process
CMD ["python", "worker.py"]
