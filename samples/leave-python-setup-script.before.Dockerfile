# A setup script from the build context installs system packages and libraries the app
# uses at run time. A runtime stage made of the slim Python image and the app's folders
# would not have them, and the script's text is not part of the Dockerfile: left alone.
FROM python:3.11
WORKDIR /usr/src/app
COPY docker/ docker/
RUN sh docker/setup_prereqs.sh
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "-m", "app", "--config", "/config"]
