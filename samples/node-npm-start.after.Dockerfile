FROM node:18-bookworm AS builder
WORKDIR /srv/app
COPY package.json package-lock.json ./
RUN npm install
# Drop devDependencies: the runtime stage copies node_modules as it is here.
RUN npm prune --omit=dev
COPY . .

# Runtime: the same Node.js without build tools; the app with production dependencies.
FROM node:18-bookworm-slim
WORKDIR /srv/app
EXPOSE 8080
COPY --from=builder /srv/app /srv/app
USER node
CMD npm start
