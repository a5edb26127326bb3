FROM example/php-app-base:8.2

WORKDIR /app
COPY . .
# The asset build needs node only while it runs: installed and purged in the same step.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm \
    && composer install --no-interaction --no-progress \
    && npm install && npm run build \
    && apt-get purge -y nodejs npm && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

CMD ["php", "bin/hello.php"]
